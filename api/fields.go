package api

// JSON names of fields, for the places that name a field outside its struct
// tag: field errors, audit entries, field-wise edits and the app's field
// lookups. TestFieldNames holds each equal to the json tag it names.
const (
	// Profile and ProfilePatch.
	FieldFirstName     = "first_name"
	FieldLastName      = "last_name"
	FieldDisplayName   = "display_name" // also OrgSettings
	FieldUsername      = "username"
	FieldLanguage      = "language"  // also OrgSettings
	FieldTimeZone      = "time_zone" // also OrgSettings
	FieldEmail         = "email"     // also EmailChangeRequest, EmailSet
	FieldPendingEmail  = "pending_email"
	FieldMobile        = "mobile" // also MobileChangeRequest
	FieldPendingMobile = "pending_mobile"
	FieldHideMobile    = "hide_mobile"
	FieldHideFixed     = "hide_fixed"
	FieldExtraInfo     = "extra_info"

	// StatusUpdate.
	FieldAvailability = "availability"
	FieldReasonCode   = "reason_code"
	FieldMinutes      = "minutes" // also ReasonCodeCreate, ReasonCodePatch, StatusExtend
	FieldThen         = "then"    // ReasonCodeCreate, ReasonCodePatch

	// Presence.
	FieldLockAway       = "lock_away"
	FieldAwayReasonCode = "away_reason_code"
	FieldIdleMinutes    = "idle_minutes"
	FieldAutoOnline     = "auto_online"

	// Notifications.
	FieldEmailMissedCalls = "email_missed_calls"
	FieldEmailVoicemails  = "email_voicemails"

	// Sign-in, verification and passwords.
	FieldLogin           = "login"    // SignInRequest, PasswordResetRequest
	FieldPassword        = "password" // SignInRequest, PasswordResetConfirm
	FieldCode            = "code"     // MobileConfirmRequest; also ReasonCodeCreate
	FieldToken           = "token"    // PasswordResetConfirm
	FieldDevice          = "device"   // SignInRequest
	FieldChannel         = "channel"  // PasswordResetRequest
	FieldCurrentPassword = "current"  // PasswordChangeRequest
	FieldNewPassword     = "new"      // PasswordChangeRequest

	// OrgSettings and OrgSettingsPatch.
	FieldCompanyName         = "company_name"
	FieldOrgNumber           = "org_number"
	FieldOwner               = "owner"
	FieldID                  = "id"
	FieldAddressStreet       = "address.street"
	FieldAddressPostalCode   = "address.postal_code"
	FieldAddressCity         = "address.city"
	FieldAddressCountry      = "address.country"
	FieldMembersChooseAvatar = "members_choose_avatar"
	FieldMembersChooseCover  = "members_choose_cover"
	FieldMembersChangeEmail  = "members_change_email"
	FieldCostCentersEnabled  = "cost_centers_enabled"

	// Organisation resources.
	FieldPackage       = "package"     // PackageChange
	FieldItems         = "items"       // OrderRequest
	FieldSKU           = "sku"         // OrderItem
	FieldEnabled       = "enabled"     // SMSZoneUpdate
	FieldScope         = "scope"       // SMSZoneUpdate
	FieldUserIDs       = "user_ids"    // SMSZoneUpdate, UserIDsRequest
	FieldAllowed       = "allowed"     // SMSTypesUpdate
	FieldCostCenter    = "cost_center" // OrgUser
	FieldName          = "name"        // NameRequest, CategoryCreate, CategoryPatch
	FieldLabel         = "label"       // ReasonCodeCreate, ReasonCodePatch
	FieldRetired       = "retired"     // ReasonCodePatch
	FieldOptions       = "options"     // CategoryCreate
	FieldOptionIDs     = "option_ids"  // SupervisorScope
	FieldAddOptions    = "add_options" // CategoryPatch
	FieldRemoveOptions = "remove_options"
	FieldLicense       = "license" // InvitationRequest
)
