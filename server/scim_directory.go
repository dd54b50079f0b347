package server

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Directory is what the SCIM endpoint (server/scim) reads and changes:
// the users and structure options of one organisation, the one the
// request's SCIM token belongs to. Every method takes the request's
// context and acts only within that organisation, so a token never
// reaches another tenant whatever the SCIM layer asks.
type Directory struct{ s *Server }

// DirUser is a user as an identity provider sees it.
type DirUser struct {
	ID string
	// UserName is what the identity provider calls the user; the username
	// for people it never named.
	UserName, ExternalID                      string
	GivenName, FamilyName, DisplayName, Email string
	Active                                    bool
	Groups                                    []DirGroupRef // read-only
	Created                                   time.Time
	Version                                   int64
}

// DirGroupRef is a group a user is in.
type DirGroupRef struct{ ID, DisplayName string }

// DirGroup is a structure option as a SCIM group: its members are the
// users who hold the option. DisplayName is the option's name.
type DirGroup struct {
	ID, DisplayName string
	Category        string // the category's name
	Members         []DirMember
	Version         int64 // the category's
}

// DirMember is a group's member.
type DirMember struct{ ID, DisplayName string }

// Errors a Directory reports; the SCIM layer maps them onto its statuses.
var (
	ErrDirNotFound = errors.New("no such resource")
	ErrDirConflict = errors.New("a value that must be unique is taken")
)

// DirInvalid is a value the directory refuses (400 invalidValue).
type DirInvalid struct{ Field, Why string }

func (e *DirInvalid) Error() string { return e.Field + " " + e.Why }

// BaseURL is the SCIM endpoint's absolute URL when the server knows its
// public address (Config.PublicURL), else "" for relative locations.
func (d *Directory) BaseURL() string {
	if d.s.cfg.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(d.s.cfg.PublicURL, "/") + SCIMPath
}

func (d *Directory) caller(ctx context.Context) (*scimCaller, error) {
	c := callerOf(ctx)
	if c == nil {
		return nil, errNotSCIM // a handler reached without scimAuth
	}
	return c, nil
}

// structure maps option IDs to their group, for the org.
func structureGroups(cats []api.Category) map[string]*DirGroup {
	out := map[string]*DirGroup{}
	for _, c := range cats {
		for _, o := range c.Options {
			out[o.ID] = &DirGroup{ID: o.ID, DisplayName: o.Name, Category: c.Name, Version: c.Version}
		}
	}
	return out
}

func dirUser(u store.SCIMUser, groups map[string]*DirGroup) DirUser {
	du := DirUser{ID: u.ID, UserName: u.UserName, ExternalID: u.ExternalID, GivenName: u.FirstName, FamilyName: u.LastName,
		DisplayName: u.DisplayName, Email: u.Email, Active: u.DeactivatedAt.IsZero(), Created: u.CreatedAt, Version: u.ProfileVersion,
		Groups: []DirGroupRef{}}
	if du.UserName == "" {
		du.UserName = u.Username
	}
	for _, opt := range slices.Sorted(maps.Values(u.Options)) {
		if g := groups[opt]; g != nil {
			du.Groups = append(du.Groups, DirGroupRef{ID: g.ID, DisplayName: g.DisplayName})
		}
	}
	return du
}

// users loads the org's users (or the one with id), as SCIM shows them.
func (d *Directory) users(ctx context.Context, q store.Q, orgID, id string) ([]DirUser, error) {
	us, err := q.SCIMUsers(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	cats, err := q.Categories(ctx, orgID)
	if err != nil {
		return nil, err
	}
	groups := structureGroups(cats)
	out := make([]DirUser, len(us))
	for i, u := range us {
		out[i] = dirUser(u, groups)
	}
	return out, nil
}

// Users lists the organisation's users, oldest first.
func (d *Directory) Users(ctx context.Context) ([]DirUser, error) {
	c, err := d.caller(ctx)
	if err != nil {
		return nil, err
	}
	return d.users(ctx, d.s.st.Q(), c.OrgID, "")
}

// UsersByUserName lists the users a SCIM userName names: the one the
// identity provider gave that name, or else people made in Phoneset
// whose username or email it is.
func (d *Directory) UsersByUserName(ctx context.Context, userName string) ([]DirUser, error) {
	c, err := d.caller(ctx)
	if err != nil {
		return nil, err
	}
	q := d.s.st.Q()
	ids, err := q.UsersByUserName(ctx, c.OrgID, userName)
	if err != nil {
		return nil, err
	}
	out := []DirUser{}
	for _, id := range ids {
		us, err := d.users(ctx, q, c.OrgID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	return out, nil
}

// User loads one of the organisation's users.
func (d *Directory) User(ctx context.Context, id string) (DirUser, error) {
	c, err := d.caller(ctx)
	if err != nil {
		return DirUser{}, err
	}
	return d.user(ctx, d.s.st.Q(), c.OrgID, id)
}

func (d *Directory) user(ctx context.Context, q store.Q, orgID, id string) (DirUser, error) {
	us, err := d.users(ctx, q, orgID, id)
	if err != nil {
		return DirUser{}, err
	}
	if len(us) == 0 {
		return DirUser{}, ErrDirNotFound
	}
	return us[0], nil
}

// validDirUser checks what an identity provider sends against the rules
// the app's own edits follow.
func validDirUser(u DirUser) error {
	checks := []struct {
		field string
		why   *api.Reason
	}{
		{"name.givenName", api.ValidateName(u.GivenName)},
		{"name.familyName", api.ValidateName(u.FamilyName)},
		{"displayName", api.ValidateDisplayName(u.DisplayName)},
		{"emails", api.ValidateEmail(u.Email)},
	}
	for _, c := range checks {
		if c.why != nil {
			return &DirInvalid{Field: c.field, Why: c.why.String()}
		}
	}
	if u.UserName == "" || len(u.UserName) > 256 {
		return &DirInvalid{Field: "userName", Why: "must be 1 to 256 characters"}
	}
	if len(u.ExternalID) > 256 {
		return &DirInvalid{Field: "externalId", Why: "must be at most 256 characters"}
	}
	return nil
}

// UpdateUser replaces a user's SCIM attributes with what edit makes of
// the current ones (a PUT or PATCH), in one transaction, auditing every
// changed value.
func (d *Directory) UpdateUser(ctx context.Context, id string, edit func(*DirUser) error) (DirUser, error) {
	c, err := d.caller(ctx)
	if err != nil {
		return DirUser{}, err
	}
	s := d.s
	deactivated, before := false, ""
	err = s.orgTx(ctx, c.adminCall, func(q store.Q) error {
		cur, err := d.user(ctx, q, c.OrgID, id)
		if err != nil {
			return err
		}
		before = cur.Email
		next := cur
		if err := edit(&next); err != nil {
			return err
		}
		if next.DisplayName == "" {
			next.DisplayName = shownName(next)
		}
		if err := validDirUser(next); err != nil {
			return err
		}
		deactivated = cur.Active && !next.Active
		return d.apply(ctx, q, c, cur, next)
	})
	if err != nil {
		return DirUser{}, dirError(err)
	}
	if deactivated {
		s.signedOut(c.OrgID, id)
	}
	// Both addresses hear of a new one, as when an admin sets it: a
	// takeover by "forgot password" at the new address does not go unseen.
	if after, err := s.st.Q().UserByID(ctx, id); err == nil && after.Email != before {
		if err := s.notifyEmailSet(ctx, before, after.Email); err != nil {
			return DirUser{}, err
		}
	}
	return d.User(ctx, id)
}

// apply writes the difference between a user's SCIM attributes and what
// the identity provider wants.
func (d *Directory) apply(ctx context.Context, q store.Q, c *scimCaller, cur, next DirUser) error {
	s := d.s
	res := userRes(cur.ID, "profile")
	var d1 diff
	d1.str(api.FieldFirstName, cur.GivenName, next.GivenName)
	d1.str(api.FieldLastName, cur.FamilyName, next.FamilyName)
	d1.str(api.FieldDisplayName, cur.DisplayName, next.DisplayName)
	d1.str(api.FieldEmail, cur.Email, next.Email)
	if len(d1) > 0 {
		u, err := q.UserByID(ctx, cur.ID)
		if err != nil {
			return err
		}
		u.FirstName, u.LastName, u.DisplayName = next.GivenName, next.FamilyName, next.DisplayName
		if u.Email != next.Email {
			// An address is a "forgot password" away from the account, and
			// a token is less than an admin who re-enters a password: an
			// admin's address is changed in Phoneset, the owner's by the
			// owner alone.
			if why, err := scimKeepsEmail(ctx, q, c.OrgID, u.ID); err != nil {
				return err
			} else if why != "" {
				return &DirInvalid{Field: "emails", Why: why}
			}
			// The identity provider owns the address: a change it made
			// replaces any the user had pending.
			if err := q.DeleteVerification(ctx, u.ID, store.PurposeEmailChange); err != nil {
				return err
			}
			u.Email, u.PendingEmail = next.Email, ""
		}
		if err := q.SaveProfile(ctx, u, u.ProfileVersion); err != nil {
			return err
		}
		if err := s.orgAudit(ctx, q, c.adminCall, "scim.user.update", res, d1); err != nil {
			return err
		}
	}
	var d2 diff
	d2.str("scim_user_name", cur.UserName, next.UserName)
	d2.str("scim_external_id", cur.ExternalID, next.ExternalID)
	if len(d2) > 0 {
		if err := q.SetSCIMIdentity(ctx, c.OrgID, cur.ID, store.SCIMIdentity{UserName: next.UserName, ExternalID: next.ExternalID}); err != nil {
			return err
		}
		if err := s.orgAudit(ctx, q, c.adminCall, "scim.user.identity", userRes(cur.ID, "scim"), d2); err != nil {
			return err
		}
	}
	if cur.Active == next.Active {
		return nil
	}
	// As when an admin does it: sessions and the API key end at once,
	// licenses are freed; the owner and the last admin stay.
	u, err := q.UserByID(ctx, cur.ID)
	if err != nil {
		return err
	}
	if next.Active {
		return s.reactivateUser(ctx, q, c.principal, u)
	}
	return s.deactivateUser(ctx, q, c.principal, u)
}

// scimKeepsEmail says why SCIM may not change the user's address, or "".
func scimKeepsEmail(ctx context.Context, q store.Q, orgID, userID string) (string, error) {
	o, err := q.OrgProfileByID(ctx, orgID)
	if err != nil {
		return "", err
	}
	if o.OwnerID == userID {
		return "of the organisation's owner are changed by the owner, in Phoneset", nil
	}
	perms, err := q.Permissions(ctx, userID)
	if err != nil {
		return "", err
	}
	if slices.Contains(perms, api.PermAccount) {
		return "of organisation admins are changed in Phoneset, where an admin re-enters a password", nil
	}
	return "", nil
}

// shownName is the display name of a user the identity provider gave
// none: the given and family names, else the userName.
func shownName(u DirUser) string {
	switch {
	case u.GivenName != "" && u.FamilyName != "":
		return u.GivenName + " " + u.FamilyName
	case u.GivenName+u.FamilyName != "":
		return u.GivenName + u.FamilyName
	}
	return u.UserName
}

// dirError maps store and API errors onto the Directory's.
func dirError(err error) error {
	var inv *DirInvalid
	var ae *api.Error
	switch {
	case err == nil, errors.As(err, &inv), errors.Is(err, ErrDirNotFound), errors.Is(err, ErrDirConflict):
		return err
	case errors.Is(err, store.ErrNotFound):
		return ErrDirNotFound
	case errors.Is(err, store.ErrConflict):
		return ErrDirConflict
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		return ErrDirNotFound
	case errors.As(err, &ae) && ae.Status == http.StatusConflict:
		return ErrDirConflict
	case errors.As(err, &ae) && ae.Status < 500:
		return &DirInvalid{Field: "value", Why: ae.Message}
	}
	return err
}

// Groups lists the organisation's structure options as groups.
func (d *Directory) Groups(ctx context.Context) ([]DirGroup, error) {
	c, err := d.caller(ctx)
	if err != nil {
		return nil, err
	}
	return d.groups(ctx, d.s.st.Q(), c.OrgID)
}

func (d *Directory) groups(ctx context.Context, q store.Q, orgID string) ([]DirGroup, error) {
	cats, err := q.Categories(ctx, orgID)
	if err != nil {
		return nil, err
	}
	names, err := q.MemberNames(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []DirGroup
	for _, c := range cats {
		for _, o := range c.Options {
			g := DirGroup{ID: o.ID, DisplayName: o.Name, Category: c.Name, Version: c.Version, Members: []DirMember{}}
			for _, u := range o.UserIDs {
				g.Members = append(g.Members, DirMember{ID: u, DisplayName: names[u]})
			}
			out = append(out, g)
		}
	}
	return out, nil
}

// Group loads one structure option as a group.
func (d *Directory) Group(ctx context.Context, id string) (DirGroup, error) {
	gs, err := d.Groups(ctx)
	if err != nil {
		return DirGroup{}, err
	}
	for _, g := range gs {
		if g.ID == id {
			return g, nil
		}
	}
	return DirGroup{}, ErrDirNotFound
}

// SetGroupMembers makes the users edit returns (given the current
// members' IDs) exactly the option's holders; each leaves any other
// option of its category. Every change is audited.
func (d *Directory) SetGroupMembers(ctx context.Context, id string, edit func(members []string) ([]string, error)) (DirGroup, error) {
	c, err := d.caller(ctx)
	if err != nil {
		return DirGroup{}, err
	}
	s := d.s
	err = s.orgTx(ctx, c.adminCall, func(q store.Q) error {
		cats, err := q.Categories(ctx, c.OrgID)
		if err != nil {
			return err
		}
		for i := range cats {
			for _, o := range cats[i].Options {
				if o.ID == id {
					return d.setMembers(ctx, q, c, &cats[i], o, edit)
				}
			}
		}
		return ErrDirNotFound
	})
	if err != nil {
		return DirGroup{}, dirError(err)
	}
	return d.Group(ctx, id)
}

func (d *Directory) setMembers(ctx context.Context, q store.Q, c *scimCaller, cat *api.Category, opt api.CategoryOption,
	edit func([]string) ([]string, error)) error {
	want, err := edit(slices.Clone(opt.UserIDs))
	if err != nil {
		return err
	}
	ids, _, err := knownUsers(ctx, q, c.OrgID, "members", want)
	if err != nil || slices.Equal(ids, opt.UserIDs) {
		return err
	}
	return d.s.holdOption(ctx, q, c.adminCall, cat, opt, ids, cat.Version)
}

// CreateUser adds a user the identity provider provisions, as people's
// createUser makes accounts: without a password, so the person signs in
// through single sign-on or sets one with "Forgot password" at the address
// the provider gave. Their username is made from the provider's userName
// (its part before an @, in the characters usernames allow), numbered
// when taken.
func (d *Directory) CreateUser(ctx context.Context, u DirUser) (DirUser, error) {
	c, err := d.caller(ctx)
	if err != nil {
		return DirUser{}, err
	}
	if u.DisplayName == "" {
		u.DisplayName = shownName(u)
	}
	if err := validDirUser(u); err != nil {
		return DirUser{}, err
	}
	s := d.s
	id := newID("usr")
	err = s.orgTx(ctx, c.adminCall, func(q store.Q) error {
		if same, err := q.UsersByUserName(ctx, c.OrgID, u.UserName); err != nil || len(same) > 0 {
			return cmpErr(err, ErrDirConflict)
		}
		username, err := freeUsername(ctx, q, u.UserName)
		if err != nil {
			return err
		}
		if _, err := s.createUser(ctx, q, c.principal, newUser{ID: id, OrgID: c.OrgID, Username: username, Email: u.Email,
			DisplayName: u.DisplayName, FirstName: u.GivenName, LastName: u.FamilyName}); err != nil {
			return err
		}
		if err := q.SetSCIMIdentity(ctx, c.OrgID, id, store.SCIMIdentity{UserName: u.UserName, ExternalID: u.ExternalID}); err != nil {
			return err
		}
		var df diff
		df.str("scim_user_name", "", u.UserName)
		df.str("scim_external_id", "", u.ExternalID)
		return s.orgAudit(ctx, q, c.adminCall, "scim.user.identity", userRes(id, "scim"), df)
	})
	if err != nil {
		return DirUser{}, dirError(err)
	}
	if !u.Active {
		return d.UpdateUser(ctx, id, func(n *DirUser) error {
			n.Active = false
			return nil
		})
	}
	return d.User(ctx, id)
}

// cmpErr is err, or else fallback.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// freeUsername makes a free username from an identity provider's
// userName.
func freeUsername(ctx context.Context, q store.Q, userName string) (string, error) {
	local, _, _ := strings.Cut(userName, "@")
	var b strings.Builder
	for _, r := range local {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || (b.Len() > 0 && strings.ContainsRune("._-", r))) {
			b.WriteRune(r)
		}
	}
	base := strings.TrimRight(b.String(), "._-")
	if len(base) > api.MaxUsernameLen-4 {
		base = base[:api.MaxUsernameLen-4]
	}
	if len(base) < api.MinUsernameLen {
		base += "user"
	}
	for n := 1; n < 1000; n++ {
		cand := base
		if n > 1 {
			cand += strconv.Itoa(n)
		}
		taken, err := q.UsernameTaken(ctx, cand)
		if err != nil || !taken {
			return cand, err
		}
	}
	return "", ErrDirConflict
}
