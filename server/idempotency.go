package server

import "time"

// replayTTL is how long a response to an Idempotency-Key is kept.
const replayTTL = 24 * time.Hour
