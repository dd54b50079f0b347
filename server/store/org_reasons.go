package store

import (
	"context"

	"github.com/phoneset/phoneset/api"
)

// OrgReasonCodes lists the org's reason codes with their versions.
func (q Q) OrgReasonCodes(ctx context.Context, orgID string) ([]api.OrgReasonCode, error) {
	return list(ctx, q, func(sc scanner) (api.OrgReasonCode, error) {
		var rc api.OrgReasonCode
		var then string
		err := sc.Scan(&rc.Code, &rc.Label, &rc.Retired, &rc.Minutes, &then, &rc.Version)
		rc.Then = api.Availability(then)
		return rc, err
	}, `SELECT code, label, retired, minutes, then_availability, version FROM reason_codes WHERE org_id = ? ORDER BY sort_order, code`, orgID)
}

// UpdateReasonCode writes a reason code's label, retirement and timer if it
// is still at version.
func (q Q) UpdateReasonCode(ctx context.Context, orgID string, rc api.OrgReasonCode, version int64) error {
	return q.execOne(ctx, `UPDATE reason_codes SET label = ?, retired = ?, minutes = ?, then_availability = ?, version = version + 1
		WHERE org_id = ? AND code = ? AND version = ?`, rc.Label, rc.Retired, rc.Minutes, string(rc.Then), orgID, rc.Code, version)
}

// AddReasonCode appends a reason code to the org's list.
func (q Q) AddReasonCode(ctx context.Context, orgID string, rc api.ReasonCode) error {
	then := rc.Then
	if then == "" {
		then = api.Online
	}
	_, err := q.exec(ctx, `INSERT INTO reason_codes (org_id, code, label, retired, minutes, then_availability, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, (SELECT COUNT(*) FROM reason_codes WHERE org_id = ?))`,
		orgID, rc.Code, rc.Label, rc.Retired, rc.Minutes, string(then), orgID)
	if err != nil {
		return classify(err)
	}
	_, err = q.exec(ctx, `UPDATE orgs SET version = version + 1 WHERE id = ?`, orgID)
	return err
}

// ReasonCodes lists the org's reason codes in their order.
func (q Q) ReasonCodes(ctx context.Context, orgID string) ([]api.ReasonCode, error) {
	return list(ctx, q, func(sc scanner) (api.ReasonCode, error) {
		var rc api.ReasonCode
		var then string
		err := sc.Scan(&rc.Code, &rc.Label, &rc.Retired, &rc.Minutes, &then)
		rc.Then = api.Availability(then)
		return rc, err
	}, `SELECT code, label, retired, minutes, then_availability FROM reason_codes WHERE org_id = ? ORDER BY sort_order, code`, orgID)
}
