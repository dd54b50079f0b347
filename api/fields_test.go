package api_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// fieldNames lists each Field constant with the struct fields whose json
// tags it names (a dotted path for a nested field).
var fieldNames = []struct {
	name, value string
	in          []any
	path        string
}{
	{"FieldFirstName", api.FieldFirstName, []any{api.Profile{}, api.ProfilePatch{}}, "FirstName"},
	{"FieldLastName", api.FieldLastName, []any{api.Profile{}, api.ProfilePatch{}}, "LastName"},
	{"FieldDisplayName", api.FieldDisplayName, []any{api.Profile{}, api.ProfilePatch{}, api.OrgSettings{}, api.OrgSettingsPatch{}}, "DisplayName"},
	{"FieldUsername", api.FieldUsername, []any{api.Profile{}, api.ProfilePatch{}}, "Username"},
	{"FieldLanguage", api.FieldLanguage, []any{api.Profile{}, api.ProfilePatch{}, api.OrgSettings{}, api.OrgSettingsPatch{}}, "Language"},
	{"FieldTimeZone", api.FieldTimeZone, []any{api.Profile{}, api.ProfilePatch{}, api.OrgSettings{}, api.OrgSettingsPatch{}}, "TimeZone"},
	{"FieldEmail", api.FieldEmail, []any{api.Profile{}, api.EmailChangeRequest{}, api.EmailSet{}}, "Email"},
	{"FieldPendingEmail", api.FieldPendingEmail, []any{api.Profile{}}, "PendingEmail"},
	{"FieldMobile", api.FieldMobile, []any{api.Profile{}, api.MobileChangeRequest{}}, "Mobile"},
	{"FieldPendingMobile", api.FieldPendingMobile, []any{api.Profile{}}, "PendingMobile"},
	{"FieldHideMobile", api.FieldHideMobile, []any{api.Profile{}, api.ProfilePatch{}}, "HideMobile"},
	{"FieldHideFixed", api.FieldHideFixed, []any{api.Profile{}, api.ProfilePatch{}}, "HideFixed"},
	{"FieldExtraInfo", api.FieldExtraInfo, []any{api.Profile{}, api.ProfilePatch{}}, "ExtraInfo"},
	{"FieldAvailability", api.FieldAvailability, []any{api.Status{}, api.StatusUpdate{}}, "Availability"},
	{"FieldReasonCode", api.FieldReasonCode, []any{api.Status{}, api.StatusUpdate{}}, "ReasonCode"},
	{"FieldMinutes", api.FieldMinutes, []any{api.StatusUpdate{}, api.ReasonCode{}, api.ReasonCodeCreate{}, api.ReasonCodePatch{}, api.StatusExtend{}}, "Minutes"},
	{"FieldThen", api.FieldThen, []any{api.Status{}, api.ReasonCode{}, api.ReasonCodeCreate{}, api.ReasonCodePatch{}}, "Then"},
	{"FieldLockAway", api.FieldLockAway, []any{api.Presence{}, api.PresenceUpdate{}}, "LockAway"},
	{"FieldAwayReasonCode", api.FieldAwayReasonCode, []any{api.Presence{}, api.PresenceUpdate{}}, "AwayReasonCode"},
	{"FieldIdleMinutes", api.FieldIdleMinutes, []any{api.Presence{}, api.PresenceUpdate{}}, "IdleMinutes"},
	{"FieldAutoOnline", api.FieldAutoOnline, []any{api.Presence{}, api.PresenceUpdate{}}, "AutoOnline"},
	{"FieldEmailMissedCalls", api.FieldEmailMissedCalls, []any{api.Notifications{}}, "EmailMissedCalls"},
	{"FieldEmailVoicemails", api.FieldEmailVoicemails, []any{api.Notifications{}}, "EmailVoicemails"},
	{"FieldLogin", api.FieldLogin, []any{api.SignInRequest{}, api.PasswordResetRequest{}}, "Login"},
	{"FieldPassword", api.FieldPassword, []any{api.SignInRequest{}, api.PasswordResetConfirm{}}, "Password"},
	{"FieldCode", api.FieldCode, []any{api.MobileConfirmRequest{}, api.ReasonCodeCreate{}}, "Code"},
	{"FieldToken", api.FieldToken, []any{api.PasswordResetConfirm{}}, "Token"},
	{"FieldDevice", api.FieldDevice, []any{api.SignInRequest{}}, "Device"},
	{"FieldChannel", api.FieldChannel, []any{api.PasswordResetRequest{}}, "Channel"},
	{"FieldCurrentPassword", api.FieldCurrentPassword, []any{api.PasswordChangeRequest{}}, "Current"},
	{"FieldNewPassword", api.FieldNewPassword, []any{api.PasswordChangeRequest{}}, "New"},
	{"FieldCompanyName", api.FieldCompanyName, []any{api.OrgSettings{}}, "CompanyName"},
	{"FieldOrgNumber", api.FieldOrgNumber, []any{api.OrgSettings{}}, "OrgNumber"},
	{"FieldOwner", api.FieldOwner, []any{api.OrgSettings{}}, "Owner"},
	{"FieldID", api.FieldID, []any{api.OrgSettings{}}, "ID"},
	{"FieldAddressStreet", api.FieldAddressStreet, []any{api.OrgSettings{}, api.OrgSettingsPatch{}}, "Address.Street"},
	{"FieldAddressPostalCode", api.FieldAddressPostalCode, []any{api.OrgSettings{}, api.OrgSettingsPatch{}}, "Address.PostalCode"},
	{"FieldAddressCity", api.FieldAddressCity, []any{api.OrgSettings{}, api.OrgSettingsPatch{}}, "Address.City"},
	{"FieldAddressCountry", api.FieldAddressCountry, []any{api.OrgSettings{}, api.OrgSettingsPatch{}}, "Address.Country"},
	{"FieldMembersChooseAvatar", api.FieldMembersChooseAvatar, []any{api.OrgSettings{}, api.OrgSettingsPatch{}}, "MembersChooseAvatar"},
	{"FieldMembersChooseCover", api.FieldMembersChooseCover, []any{api.OrgSettings{}, api.OrgSettingsPatch{}}, "MembersChooseCover"},
	{"FieldMembersChangeEmail", api.FieldMembersChangeEmail, []any{api.OrgSettings{}, api.OrgSettingsPatch{}}, "MembersChangeEmail"},
	{"FieldCostCentersEnabled", api.FieldCostCentersEnabled, []any{api.OrgSettings{}, api.OrgSettingsPatch{}}, "CostCentersEnabled"},
	{"FieldPackage", api.FieldPackage, []any{api.PackageChange{}, api.PBXPackage{}}, "Package"},
	{"FieldItems", api.FieldItems, []any{api.OrderRequest{}}, "Items"},
	{"FieldSKU", api.FieldSKU, []any{api.OrderItem{}, api.Product{}}, "SKU"},
	{"FieldEnabled", api.FieldEnabled, []any{api.SMSZoneUpdate{}, api.SMSZone{}}, "Enabled"},
	{"FieldScope", api.FieldScope, []any{api.SMSZoneUpdate{}, api.SMSZone{}}, "Scope"},
	{"FieldUserIDs", api.FieldUserIDs, []any{api.SMSZoneUpdate{}, api.UserIDsRequest{}, api.CostCenter{}}, "UserIDs"},
	{"FieldAllowed", api.FieldAllowed, []any{api.SMSTypesUpdate{}}, "Allowed"},
	{"FieldCostCenter", api.FieldCostCenter, []any{api.OrgUser{}}, "CostCenter"},
	{"FieldName", api.FieldName, []any{api.NameRequest{}, api.CategoryCreate{}, api.CategoryPatch{}}, "Name"},
	{"FieldLabel", api.FieldLabel, []any{api.ReasonCodeCreate{}, api.ReasonCodePatch{}}, "Label"},
	{"FieldRetired", api.FieldRetired, []any{api.ReasonCodePatch{}, api.ReasonCode{}}, "Retired"},
	{"FieldOptions", api.FieldOptions, []any{api.CategoryCreate{}, api.InvitationRequest{}}, "Options"},
	{"FieldOptionIDs", api.FieldOptionIDs, []any{api.SupervisorScope{}}, "OptionIDs"},
	{"FieldAddOptions", api.FieldAddOptions, []any{api.CategoryPatch{}}, "AddOptions"},
	{"FieldRemoveOptions", api.FieldRemoveOptions, []any{api.CategoryPatch{}}, "RemoveOptions"},
	{"FieldLicense", api.FieldLicense, []any{api.InvitationRequest{}, api.Invitation{}}, "License"},
}

// TestFieldNames holds every Field constant equal to the json tags of the
// struct fields it names, and every constant in fields.go listed above.
func TestFieldNames(t *testing.T) {
	listed := map[string]bool{}
	for _, f := range fieldNames {
		listed[f.name] = true
		for _, v := range f.in {
			if got := jsonPath(t, reflect.TypeOf(v), f.path); got != f.value {
				t.Errorf("api.%s = %q, but %T.%s is %q in JSON", f.name, f.value, v, f.path, got)
			}
		}
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "fields.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, spec := range g.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					n++
					if !listed[id.Name] {
						t.Errorf("api.%s is not checked against a json tag: add it to fieldNames", id.Name)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("found no constants in fields.go")
	}
}

// jsonPath is the dotted JSON name of the Go field path in t.
func jsonPath(t *testing.T, typ reflect.Type, path string) string {
	var names []string
	for _, step := range strings.Split(path, ".") {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		sf, ok := typ.FieldByName(step)
		if !ok {
			t.Errorf("%s has no field %s", typ, step)
			return ""
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		names = append(names, name)
		typ = sf.Type
	}
	return strings.Join(names, ".")
}
