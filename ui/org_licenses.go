package ui

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgCommerceModel reads and changes the PBX package, buys licenses and
// add-ons and hands licenses to users.
type OrgCommerceModel interface {
	OrgPackage(ctx context.Context) (api.PBXPackage, error)
	SetOrgPackage(ctx context.Context, version int64, pkg string) (api.PBXPackage, error)
	OrgLicenses(ctx context.Context) (api.Licenses, error)
	OrgOrders(ctx context.Context) ([]api.Order, error)
	PlaceOrder(ctx context.Context, items []api.OrderItem) (api.Order, error)
	AssignLicense(ctx context.Context, userID, sku string) (api.OrgUser, error)
	UnassignLicense(ctx context.Context, userID, sku string) (api.OrgUser, error)
}

func packageName(pkg string) string {
	switch pkg {
	case api.PackageLight:
		return lang.L("Light")
	case api.PackageUnlimited:
		return lang.L("Unlimited")
	}
	return pkg
}

// orgCommerceTab shows the PBX package, licenses, add-ons and orders,
// and which user holds which license.
type orgCommerceTab struct {
	model    OrgCommerceModel
	users    func() []api.OrgUser
	reload   func() // reloads the users after an assignment
	pkg      api.PBXPackage
	licenses api.Licenses

	pkgChoice *widget.RadioGroup
	pkgApply  *widget.Button
	contract  *widget.Label
	refusal   *widget.Label
	counts    *fyne.Container
	buy       *fyne.Container
	amounts   map[string]*widget.Entry
	total     *widget.Label
	buyBtn    *widget.Button
	ordered   *widget.Label
	addons    *fyne.Container
	orders    *fyne.Container
	holders   *fyne.Container
	tabProblem
	content fyne.CanvasObject
}

func newOrgCommerceTab(m OrgCommerceModel, users func() []api.OrgUser, reload func()) *orgCommerceTab {
	t := &orgCommerceTab{model: m, users: users, reload: reload, amounts: map[string]*widget.Entry{}}
	t.pkgChoice = widget.NewRadioGroup([]string{packageName(api.PackageLight), packageName(api.PackageUnlimited)}, func(string) { t.updatePackage() })
	t.pkgChoice.Horizontal = true
	t.pkgApply = widget.NewButton(lang.L("Change package"), t.ChangePackage)
	t.pkgApply.Importance = widget.HighImportance
	t.contract = widget.NewLabel("")
	t.refusal = explain("")
	t.refusal.Importance = widget.WarningImportance
	t.counts, t.buy, t.addons, t.orders, t.holders = container.NewVBox(), container.NewVBox(), container.NewVBox(), container.NewVBox(), container.NewVBox()
	t.total = widget.NewLabel("")
	t.buyBtn = widget.NewButtonWithIcon(lang.L("Buy"), theme.ConfirmIcon(), t.confirmBuy)
	t.buyBtn.Importance = widget.HighImportance
	t.ordered = widget.NewLabel("")
	t.ordered.Importance = widget.SuccessImportance
	t.ordered.Hide()
	t.problem = problemLabel()
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("PBX package"), lang.L("Upgrade at any time. Downgrading needs an ongoing contract outside its binding period."),
			container.NewVBox(container.NewHBox(t.pkgChoice, layout.NewSpacer(), t.pkgApply), t.contract, t.refusal)),
		widget.NewCard(lang.L("Licenses"), "", t.counts),
		widget.NewCard(lang.L("Buy licenses and add-ons"), lang.L("Prices according to your contract. Invoiced with it; nothing is paid here."),
			container.NewVBox(t.buy, container.NewHBox(t.total, layout.NewSpacer(), t.buyBtn), t.ordered)),
		widget.NewCard(lang.L("Add-ons"), "", t.addons),
		widget.NewCard(lang.L("Users and licenses"), "", t.holders),
		widget.NewCard(lang.L("Orders"), "", t.orders),
	))
	return t
}

func (t *orgCommerceTab) load() {
	orgLoad(t.problem, t.model.OrgPackage, t.showPackage)
	t.loadLicenses()
	orgLoad(t.problem, t.model.OrgOrders, t.showOrders)
}

func (t *orgCommerceTab) loadLicenses() {
	orgLoad(t.problem, t.model.OrgLicenses, t.showLicenses)
}

func (t *orgCommerceTab) showPackage(p api.PBXPackage) {
	t.pkg = p
	t.pkgChoice.SetSelected(packageName(p.Package))
	c := p.Contract
	switch {
	case !c.Ongoing:
		t.contract.SetText(lang.L("No ongoing contract."))
	case c.BindingEndsAt.After(c.StartedAt):
		t.contract.SetText(lang.L("Contract since {{.Start}}, binding until {{.Binding}}.", map[string]any{
			"Start": c.StartedAt.Format("2 January 2006"), "Binding": c.BindingEndsAt.Format("2 January 2006")}))
	default:
		t.contract.SetText(lang.L("Contract since {{.Start}}.", map[string]any{"Start": c.StartedAt.Format("2 January 2006")}))
	}
	t.updatePackage()
}

// chosenPackage is the package the radio group selects.
func (t *orgCommerceTab) chosenPackage() string {
	for _, p := range api.Packages {
		if packageName(p) == t.pkgChoice.Selected {
			return p
		}
	}
	return ""
}

// updatePackage enables the change when it is allowed and says why a
// downgrade is not.
func (t *orgCommerceTab) updatePackage() {
	to := t.chosenPackage()
	down := slices.Index(api.Packages, to) < slices.Index(api.Packages, t.pkg.Package)
	setEnabled(t.pkgApply, to != "" && to != t.pkg.Package && (!down || t.pkg.CanDowngrade))
	if t.pkg.DowngradeRefusal != nil && slices.Index(api.Packages, t.pkg.Package) > 0 {
		t.refusal.SetText(lang.L("You can't downgrade now: {{.Reason}}", map[string]any{"Reason": reasonText(t.pkg.DowngradeRefusal)}))
		t.refusal.Show()
	} else {
		t.refusal.Hide()
	}
}

// ChangePackage moves to the chosen package.
func (t *orgCommerceTab) ChangePackage() {
	to := t.chosenPackage()
	t.pkgApply.Disable()
	orgRun(t.problem, func(ctx context.Context) (api.PBXPackage, error) {
		return t.model.SetOrgPackage(ctx, t.pkg.Version, to)
	}, t.showPackage, func() { orgLoad(t.problem, t.model.OrgPackage, t.showPackage) })
}

func (t *orgCommerceTab) showLicenses(l api.Licenses) {
	t.licenses = l
	rows := make([]fyne.CanvasObject, 0, len(l.Licenses))
	for _, c := range l.Licenses {
		rows = append(rows, container.NewBorder(nil, nil, bold(c.Name), widget.NewLabel(lang.L("{{.Total}} in all: {{.Assigned}} assigned, {{.Unassigned}} unassigned",
			map[string]any{"Total": c.Total, "Assigned": c.Assigned, "Unassigned": c.Unassigned}))))
	}
	t.counts.Objects = rows
	t.counts.Refresh()

	rows = make([]fyne.CanvasObject, 0, len(l.AddOns))
	for _, a := range l.AddOns {
		rows = append(rows, container.NewBorder(nil, nil, widget.NewLabel(a.Name), widget.NewLabel(strconv.FormatInt(a.Quantity, 10))))
	}
	t.addons.Objects = rows
	t.addons.Refresh()

	rows = make([]fyne.CanvasObject, 0, len(l.Catalogue))
	for _, p := range l.Catalogue {
		e, ok := t.amounts[p.SKU]
		if !ok {
			e = widget.NewEntry()
			e.SetPlaceHolder("0")
			e.Validator = func(s string) error {
				if _, ok := parseAmount(s); !ok {
					return errors.New(lang.L("Enter a whole number from 0 to {{.Max}}", map[string]any{"Max": api.MaxOrderQuantity}))
				}
				return nil
			}
			e.OnChanged = func(string) { t.updateTotal() }
			t.amounts[p.SKU] = e
		}
		price := widget.NewLabel(lang.L("{{.Price}} each", map[string]any{"Price": money(p.UnitPrice, p.Currency)}))
		amount := container.NewGridWrap(fyne.NewSize(90, e.MinSize().Height), e)
		rows = append(rows, container.NewBorder(nil, nil, widget.NewLabel(p.Name), container.NewHBox(price, amount)))
	}
	t.buy.Objects = rows
	t.buy.Refresh()
	t.updateTotal()
	t.usersChanged()
}

// parseAmount reads an amount to buy: empty is none.
func parseAmount(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0 && n <= api.MaxOrderQuantity
}

// order is what the amounts add up to; ok is false when one is not a
// number.
func (t *orgCommerceTab) order() (items []api.OrderItem, total int64, currency string, ok bool) {
	for _, p := range t.licenses.Catalogue {
		e := t.amounts[p.SKU]
		if e == nil {
			continue
		}
		n, ok := parseAmount(e.Text)
		if !ok {
			return nil, 0, "", false
		}
		if n > 0 {
			items = append(items, api.OrderItem{SKU: p.SKU, Quantity: n})
			total += n * p.UnitPrice
			currency = p.Currency
		}
	}
	return items, total, currency, true
}

func (t *orgCommerceTab) updateTotal() {
	items, total, currency, ok := t.order()
	if len(items) > 0 && ok {
		t.total.SetText(lang.L("Total {{.Total}}", map[string]any{"Total": money(total, currency)}))
	} else {
		t.total.SetText("")
	}
	setEnabled(t.buyBtn, ok && len(items) > 0)
}

func (t *orgCommerceTab) confirmBuy() {
	_, total, currency, _ := t.order()
	confirm(t.content, lang.L("Buy?"), lang.L("{{.Total}} will be invoiced according to your contract.",
		map[string]any{"Total": money(total, currency)}), t.Buy)
}

// Buy places the order the amounts describe.
func (t *orgCommerceTab) Buy() {
	items, _, _, ok := t.order()
	if !ok || len(items) == 0 {
		return
	}
	t.buyBtn.Disable()
	orgRun(t.problem, func(ctx context.Context) (api.Order, error) {
		return t.model.PlaceOrder(ctx, items)
	}, func(o api.Order) {
		for _, e := range t.amounts {
			e.SetText("")
		}
		t.ordered.SetText(lang.L("Order {{.ID}} placed: {{.Total}}.", map[string]any{"ID": o.ID, "Total": money(o.Total, o.Currency)}))
		t.ordered.Show()
		t.loadLicenses()
		orgLoad(t.problem, t.model.OrgOrders, t.showOrders)
	}, t.updateTotal)
}

func (t *orgCommerceTab) showOrders(orders []api.Order) {
	rows := make([]fyne.CanvasObject, 0, len(orders))
	for _, o := range orders {
		lines := ""
		for i, l := range o.Lines {
			if i > 0 {
				lines += ", "
			}
			lines += strconv.FormatInt(l.Quantity, 10) + " × " + l.Name
		}
		rows = append(rows, container.NewBorder(nil, nil, nil, widget.NewLabel(money(o.Total, o.Currency)),
			widget.NewLabel(o.At.Format("2006-01-02")+" · "+o.By+" · "+lines)))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("No orders yet.")))
	}
	t.orders.Objects = rows
	t.orders.Refresh()
}

// usersChanged lists each user with a check per license kind.
func (t *orgCommerceTab) usersChanged() {
	kinds := t.licenses.Licenses
	users := t.users()
	rows := make([]fyne.CanvasObject, 0, len(users))
	for _, u := range users {
		checks := container.NewHBox()
		for _, k := range kinds {
			id, sku := u.ID, k.SKU
			c := widget.NewCheck(k.Name, nil)
			c.SetChecked(slices.Contains(u.Licenses, sku))
			c.OnChanged = func(on bool) { t.SetLicense(id, sku, on) }
			checks.Add(c)
		}
		rows = append(rows, container.NewBorder(nil, nil, widget.NewLabel(u.DisplayName), checks))
	}
	t.holders.Objects = rows
	t.holders.Refresh()
}

// SetLicense gives a user a license of a kind, or takes it back.
func (t *orgCommerceTab) SetLicense(userID, sku string, on bool) {
	orgRun(t.problem, func(ctx context.Context) (api.OrgUser, error) {
		if on {
			return t.model.AssignLicense(ctx, userID, sku)
		}
		return t.model.UnassignLicense(ctx, userID, sku)
	}, func(api.OrgUser) {
		t.loadLicenses()
		t.reload()
	}, t.reload)
}
