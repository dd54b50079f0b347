package store

import (
	"context"
	"slices"
	"time"

	"github.com/phoneset/phoneset/api"
)

// Org is an organisation row. Version covers the row and its reason codes.
type Org struct {
	ID, DisplayName, TimeZone, Language string
	MembersChooseAvatar                 bool
	MembersChooseCover                  bool
	MembersChangeEmail                  bool
	PlanName                            string
	CycleDay                            int // day of the month a billing cycle starts, 1–28
	Version                             int64
	SettingsVersion                     int64 // the company profile's part of Version, photos included
	CreatedAt                           time.Time
}

// Summary is what every member sees of the org; photoKinds are the kinds
// of photo it has (OrgPhotoKinds).
func (o *Org) Summary(codes []api.ReasonCode, photoKinds []string) api.OrgSummary {
	if codes == nil {
		codes = []api.ReasonCode{}
	}
	return api.OrgSummary{ID: o.ID, DisplayName: o.DisplayName, TimeZone: o.TimeZone, Language: o.Language,
		MembersChooseAvatar: o.MembersChooseAvatar, MembersChooseCover: o.MembersChooseCover,
		MembersChangeEmail: o.MembersChangeEmail, ReasonCodes: codes,
		HasAvatar: slices.Contains(photoKinds, api.PhotoAvatar), HasCover: slices.Contains(photoKinds, api.PhotoCover),
		PhotoVersion: o.SettingsVersion}
}

// CreateOrg inserts an organisation.
func (q Q) CreateOrg(ctx context.Context, o *Org) error {
	_, err := q.exec(ctx, `INSERT INTO orgs (id, display_name, time_zone, language, members_choose_avatar,
		members_choose_cover, members_change_email, plan_name, cycle_day, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.DisplayName, o.TimeZone, o.Language, o.MembersChooseAvatar, o.MembersChooseCover,
		o.MembersChangeEmail, o.PlanName, o.CycleDay, Micros(o.CreatedAt))
	return classify(err)
}

// OrgByID loads an organisation.
func (q Q) OrgByID(ctx context.Context, id string) (*Org, error) {
	var o Org
	var created int64
	err := q.row(ctx, `SELECT id, display_name, time_zone, language, members_choose_avatar, members_choose_cover,
		members_change_email, plan_name, cycle_day, version, settings_version, created_at FROM orgs WHERE id = ?`, id).
		Scan(&o.ID, &o.DisplayName, &o.TimeZone, &o.Language, &o.MembersChooseAvatar, &o.MembersChooseCover,
			&o.MembersChangeEmail, &o.PlanName, &o.CycleDay, &o.Version, &o.SettingsVersion, &created)
	if err != nil {
		return nil, noRows(err)
	}
	o.CreatedAt = FromMicros(created)
	return &o, nil
}

// SetPlanLimit sets the plan's limit for a metric (0 = unlimited).
func (q Q) SetPlanLimit(ctx context.Context, orgID, metric string, limit int64) error {
	_, err := q.exec(ctx, `INSERT INTO plan_limits (org_id, metric, max_value) VALUES (?, ?, ?)
		ON CONFLICT (org_id, metric) DO UPDATE SET max_value = excluded.max_value`, orgID, metric, limit)
	return err
}

// PlanLimits maps each metric to its limit.
func (q Q) PlanLimits(ctx context.Context, orgID string) (map[string]int64, error) {
	return q.metricMap(ctx, `SELECT metric, max_value FROM plan_limits WHERE org_id = ?`, orgID)
}

// BumpOrg increments the org's version. Inside a transaction it also locks
// the org row, serialising org-wide checks such as "not the last admin".
func (q Q) BumpOrg(ctx context.Context, orgID string) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE orgs SET version = version + 1 WHERE id = ?`, orgID))
}
