package store

import (
	"context"

	"github.com/phoneset/phoneset/api"
)

// OrgReasonCodes lists the org's reason codes with their versions.
func (q Q) OrgReasonCodes(ctx context.Context, orgID string) ([]api.OrgReasonCode, error) {
	return list(ctx, q, func(sc scanner) (api.OrgReasonCode, error) {
		var rc api.OrgReasonCode
		err := sc.Scan(&rc.Code, &rc.Label, &rc.Retired, &rc.Version)
		return rc, err
	}, `SELECT code, label, retired, version FROM reason_codes WHERE org_id = ? ORDER BY sort_order, code`, orgID)
}

// UpdateReasonCode writes a reason code's label and retirement if it is
// still at version.
func (q Q) UpdateReasonCode(ctx context.Context, orgID string, rc api.OrgReasonCode, version int64) error {
	return q.execOne(ctx, `UPDATE reason_codes SET label = ?, retired = ?, version = version + 1
		WHERE org_id = ? AND code = ? AND version = ?`, rc.Label, rc.Retired, orgID, rc.Code, version)
}

// AddReasonCode appends a reason code to the org's list.
func (q Q) AddReasonCode(ctx context.Context, orgID string, rc api.ReasonCode) error {
	_, err := q.exec(ctx, `INSERT INTO reason_codes (org_id, code, label, retired, sort_order)
		VALUES (?, ?, ?, ?, (SELECT COUNT(*) FROM reason_codes WHERE org_id = ?))`, orgID, rc.Code, rc.Label, rc.Retired, orgID)
	if err != nil {
		return classify(err)
	}
	_, err = q.exec(ctx, `UPDATE orgs SET version = version + 1 WHERE id = ?`, orgID)
	return err
}

// ReasonCodes lists the org's reason codes in their order.
func (q Q) ReasonCodes(ctx context.Context, orgID string) ([]api.ReasonCode, error) {
	rows, err := q.query(ctx, `SELECT code, label, retired FROM reason_codes WHERE org_id = ? ORDER BY sort_order, code`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	codes := []api.ReasonCode{}
	for rows.Next() {
		var rc api.ReasonCode
		if err := rows.Scan(&rc.Code, &rc.Label, &rc.Retired); err != nil {
			return nil, err
		}
		codes = append(codes, rc)
	}
	return codes, rows.Err()
}
