package store

import "context"

// SMSZoneState is how an org has set one SMS zone.
type SMSZoneState struct {
	Scope   string // "" when the zone is disabled
	UserIDs []string
}

// SMSZones maps each enabled zone to its state.
func (q Q) SMSZones(ctx context.Context, orgID string) (map[string]SMSZoneState, error) {
	pairs, err := q.pairs(ctx, `SELECT zone, scope, '' FROM sms_zones WHERE org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	users, err := q.members(ctx, `SELECT zone, user_id, '' FROM sms_zone_users WHERE org_id = ? ORDER BY user_id`, orgID)
	if err != nil {
		return nil, err
	}
	out := map[string]SMSZoneState{}
	for _, p := range pairs {
		out[p[0]] = SMSZoneState{Scope: p[1], UserIDs: orEmpty(users[p[0]])}
	}
	return out, nil
}

// PutSMSZone replaces a zone's state; an empty scope disables it.
func (q Q) PutSMSZone(ctx context.Context, orgID, zone string, st SMSZoneState) error {
	if _, err := q.exec(ctx, `DELETE FROM sms_zone_users WHERE org_id = ? AND zone = ?`, orgID, zone); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `DELETE FROM sms_zones WHERE org_id = ? AND zone = ?`, orgID, zone); err != nil {
		return err
	}
	if st.Scope == "" {
		return nil
	}
	if _, err := q.exec(ctx, `INSERT INTO sms_zones (org_id, zone, scope) VALUES (?, ?, ?)`, orgID, zone, st.Scope); err != nil {
		return err
	}
	for _, u := range st.UserIDs {
		if _, err := q.exec(ctx, `INSERT INTO sms_zone_users (org_id, zone, user_id) VALUES (?, ?, ?)`, orgID, zone, u); err != nil {
			return classify(err)
		}
	}
	return nil
}

// SMSTypesAllowed lists the system SMS types the org allows.
func (q Q) SMSTypesAllowed(ctx context.Context, orgID string) ([]string, error) {
	return list(ctx, q, scanOne[string], `SELECT msg_type FROM sms_message_types WHERE org_id = ? ORDER BY msg_type`, orgID)
}

// SetSMSTypes makes types exactly the allowed system SMS types.
func (q Q) SetSMSTypes(ctx context.Context, orgID string, types []string) error {
	if _, err := q.exec(ctx, `DELETE FROM sms_message_types WHERE org_id = ?`, orgID); err != nil {
		return err
	}
	for _, t := range types {
		if _, err := q.exec(ctx, `INSERT INTO sms_message_types (org_id, msg_type) VALUES (?, ?)`, orgID, t); err != nil {
			return classify(err)
		}
	}
	return nil
}

// BumpSMS moves the SMS settings to version+1 if they are at version.
func (q Q) BumpSMS(ctx context.Context, orgID string, version int64) error {
	return q.execOne(ctx, `UPDATE orgs SET version = version + 1, sms_version = sms_version + 1
		WHERE id = ? AND sms_version = ?`, orgID, version)
}
