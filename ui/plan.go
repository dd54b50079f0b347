package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// PlanModel fetches the plan and this cycle's usage.
type PlanModel interface {
	Plan(ctx context.Context) (api.Plan, error)
}

func metricLabel(m string) string {
	switch m {
	case "minutes":
		return lang.L("Call minutes")
	case "messages":
		return lang.L("Messages")
	case "groups":
		return lang.L("Groups")
	case "api_requests":
		return lang.L("API requests")
	}
	return m
}

// PlanPage shows the plan and usage as bars against its limits.
type PlanPage struct {
	model   PlanModel
	zone    zoneFunc
	name    *widget.Label
	cycle   *widget.Label
	usage   *fyne.Container
	problem *widget.Label
	content fyne.CanvasObject
}

// NewPlanPage builds the page; dates show in zone.
func NewPlanPage(m PlanModel, zone zoneFunc) *PlanPage {
	p := &PlanPage{model: m, zone: zone}
	p.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.cycle = widget.NewLabel("")
	p.usage = container.NewVBox()
	p.problem = problemLabel()
	p.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(lang.L("Plan"), "", container.NewVBox(p.name, p.cycle)),
		widget.NewCard(lang.L("Usage this cycle"), "", p.usage),
		p.problem,
	))
	return p
}

// Content is the page's canvas object.
func (p *PlanPage) Content() fyne.CanvasObject { return p.content }

// Focus does nothing: the page has no inputs.
func (p *PlanPage) Focus(fyne.Canvas) {}

// Load reloads the plan from the server.
func (p *PlanPage) Load() {
	async(func() (api.Plan, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return p.model.Plan(ctx)
	}, p.show)
}

func (p *PlanPage) show(pl api.Plan, err error) {
	if err != nil {
		p.problem.SetText(describe(err))
		p.problem.Show()
		return
	}
	p.problem.Hide()
	p.name.SetText(pl.Name)
	p.cycle.SetText(lang.L("Cycle started {{.Date}}", map[string]any{"Date": p.zone.date(pl.CycleStart)}))
	rows := make([]fyne.CanvasObject, 0, 2*len(pl.Usage))
	for _, u := range pl.Usage {
		rows = append(rows, usageRow(u)...)
	}
	p.usage.Objects = rows
	p.usage.Refresh()
}

// usageRow is a label with the figures and a bar against the limit (none
// when the plan has no limit).
func usageRow(u api.Usage) []fyne.CanvasObject {
	var figures string
	if u.Limit > 0 {
		figures = lang.L("{{.Used}} of {{.Limit}}", map[string]any{"Used": u.Used, "Limit": u.Limit})
	} else {
		figures = lang.L("{{.Used}} (unlimited)", map[string]any{"Used": u.Used})
	}
	label := container.NewBorder(nil, nil, widget.NewLabel(metricLabel(u.Metric)), widget.NewLabel(figures))
	if u.Limit <= 0 {
		return []fyne.CanvasObject{label}
	}
	bar := widget.NewProgressBar()
	bar.TextFormatter = func() string { return "" }
	bar.SetValue(min(1, float64(u.Used)/float64(u.Limit)))
	return []fyne.CanvasObject{label, bar}
}
