package store

import (
	"context"
	"time"

	"github.com/phoneset/phoneset/api"
)

// OrgProfile is the organisation row with the columns only admins edit.
type OrgProfile struct {
	Org
	CompanyName, OrgNumber string
	Address                api.Address
	OwnerID                string
	CostCentersEnabled     bool
	SettingsVersion        int64

	ContractStartedAt, ContractEndsAt, BindingEndsAt time.Time
	PackageVersion                                   int64
	SMSVersion                                       int64
}

// ContractOngoing reports whether the contract has started and not ended
// at now.
func (o *OrgProfile) ContractOngoing(now time.Time) bool {
	return !o.ContractStartedAt.IsZero() && !now.Before(o.ContractStartedAt) &&
		(o.ContractEndsAt.IsZero() || now.Before(o.ContractEndsAt))
}

// OrgProfileByID loads an organisation with its admin-only columns.
func (q Q) OrgProfileByID(ctx context.Context, id string) (*OrgProfile, error) {
	var o OrgProfile
	var created, started, ends, binding int64
	err := q.row(ctx, `SELECT id, display_name, time_zone, language, members_choose_avatar, members_choose_cover,
		members_change_email, plan_name, cycle_day, version, created_at,
		company_name, org_number, address_street, address_postal_code, address_city, address_country, owner_id,
		cost_centers_enabled, settings_version, contract_started_at, contract_ends_at, binding_ends_at,
		package_version, sms_version FROM orgs WHERE id = ?`, id).
		Scan(&o.ID, &o.DisplayName, &o.TimeZone, &o.Language, &o.MembersChooseAvatar, &o.MembersChooseCover,
			&o.MembersChangeEmail, &o.PlanName, &o.CycleDay, &o.Version, &created,
			&o.CompanyName, &o.OrgNumber, &o.Address.Street, &o.Address.PostalCode, &o.Address.City, &o.Address.Country, &o.OwnerID,
			&o.CostCentersEnabled, &o.SettingsVersion, &started, &ends, &binding,
			&o.PackageVersion, &o.SMSVersion)
	if err != nil {
		return nil, noRows(err)
	}
	o.CreatedAt = FromMicros(created)
	o.ContractStartedAt, o.ContractEndsAt, o.BindingEndsAt = FromMicros(started), FromMicros(ends), FromMicros(binding)
	return &o, nil
}

// SaveOrgSettings writes the admin-editable settings if they are still at
// version; the stored version becomes version+1.
func (q Q) SaveOrgSettings(ctx context.Context, o *OrgProfile, version int64) error {
	err := q.execOne(ctx, `UPDATE orgs SET version = version + 1, settings_version = settings_version + 1,
		display_name = ?, address_street = ?, address_postal_code = ?, address_city = ?, address_country = ?,
		time_zone = ?, language = ?, members_choose_avatar = ?, members_choose_cover = ?, members_change_email = ?,
		cost_centers_enabled = ?
		WHERE id = ? AND settings_version = ?`,
		o.DisplayName, o.Address.Street, o.Address.PostalCode, o.Address.City, o.Address.Country,
		o.TimeZone, o.Language, o.MembersChooseAvatar, o.MembersChooseCover, o.MembersChangeEmail,
		o.CostCentersEnabled, o.ID, version)
	if err == nil {
		o.SettingsVersion = version + 1
	}
	return err
}

// BumpOrgSettings moves the settings to version+1 if they are at version,
// for changes kept outside the row (the company photos).
func (q Q) BumpOrgSettings(ctx context.Context, orgID string, version int64) error {
	return q.execOne(ctx, `UPDATE orgs SET version = version + 1, settings_version = settings_version + 1
		WHERE id = ? AND settings_version = ?`, orgID, version)
}

// SetOrgPackage stores the plan name of a PBX package if the package is
// still at version.
func (q Q) SetOrgPackage(ctx context.Context, orgID, planName string, version int64) error {
	return q.execOne(ctx, `UPDATE orgs SET version = version + 1, package_version = package_version + 1, plan_name = ?
		WHERE id = ? AND package_version = ?`, planName, orgID, version)
}

// SetOrgCompany records what only customer care changes: the legal name,
// organisation number and account owner.
func (q Q) SetOrgCompany(ctx context.Context, orgID, companyName, orgNumber, ownerID string) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE orgs SET version = version + 1, settings_version = settings_version + 1,
		company_name = ?, org_number = ?, owner_id = ? WHERE id = ?`, companyName, orgNumber, ownerID, orgID))
}

// SetOrgContract records the contract's dates (zero times are unset).
func (q Q) SetOrgContract(ctx context.Context, orgID string, started, ends, binding time.Time) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE orgs SET version = version + 1, package_version = package_version + 1,
		contract_started_at = ?, contract_ends_at = ?, binding_ends_at = ? WHERE id = ?`,
		Micros(started), Micros(ends), Micros(binding), orgID))
}

// PutOrgPhotos replaces every rendition of the org's photo of a kind; no
// renditions removes it.
func (q Q) PutOrgPhotos(ctx context.Context, orgID, kind string, ps []Photo) error {
	if _, err := q.exec(ctx, `DELETE FROM org_photos WHERE org_id = ? AND kind = ?`, orgID, kind); err != nil {
		return err
	}
	for _, p := range ps {
		if _, err := q.exec(ctx, `INSERT INTO org_photos (org_id, kind, size, width, height, content_type, data)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, orgID, kind, p.Size, p.Width, p.Height, p.ContentType, p.Data); err != nil {
			return classify(err)
		}
	}
	return nil
}

// OrgPhotoSizes lists the stored rendition widths of a kind, smallest
// first; none when the org has no such photo.
func (q Q) OrgPhotoSizes(ctx context.Context, orgID, kind string) ([]int, error) {
	return list(ctx, q, scanOne[int], `SELECT size FROM org_photos WHERE org_id = ? AND kind = ? ORDER BY size`, orgID, kind)
}

// OrgPhotoKinds lists the kinds of photo the org has.
func (q Q) OrgPhotoKinds(ctx context.Context, orgID string) ([]string, error) {
	return list(ctx, q, scanOne[string], `SELECT DISTINCT kind FROM org_photos WHERE org_id = ? ORDER BY kind`, orgID)
}

// GetOrgPhoto loads one rendition.
func (q Q) GetOrgPhoto(ctx context.Context, orgID, kind string, size int) (*Photo, error) {
	p := Photo{Kind: kind, Size: size}
	err := q.row(ctx, `SELECT width, height, content_type, data FROM org_photos WHERE org_id = ? AND kind = ? AND size = ?`,
		orgID, kind, size).Scan(&p.Width, &p.Height, &p.ContentType, &p.Data)
	if err != nil {
		return nil, noRows(err)
	}
	return &p, nil
}
