package api

// CallsViaMobileVoIP is Profile.CallsViaMobileVoIP: with both numbers hidden
// from colleagues, calls are made via Mobile VoIP.
func CallsViaMobileVoIP(hideMobile, hideFixed bool) bool { return hideMobile && hideFixed }
