package server

import (
	"bytes"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/phoneset/phoneset/api"
)

// The emailed links open these minimal pages in a browser. Each GET only
// shows a form; the change happens on its POST, so a mail scanner that
// fetches links changes nothing.

var pages = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="referrer" content="no-referrer"><title>{{.Title}} – Phoneset</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
input,button{font:inherit;padding:.4rem;margin:.3rem 0;width:100%;box-sizing:border-box}.err{color:#b00020}</style></head>
<body><h1>{{.Title}}</h1>{{if .Text}}<p>{{.Text}}</p>{{end}}{{range .Errors}}<p class="err">{{.}}</p>{{end}}
{{if .Action}}<form method="post" action="{{.Action}}"><input type="hidden" name="token" value="{{.Token}}">
{{if .AskUsername}}<label>Username<input name="username" autocomplete="username" value="{{.Username}}" required></label>{{end}}
{{if .AskPassword}}<label>New password<input type="password" name="password" autocomplete="new-password" required></label>{{end}}
<button type="submit">{{.Button}}</button></form>{{end}}</body></html>
`))

type page struct {
	Title, Text   string
	Errors        []string
	Action, Token string
	Button        string
	AskPassword   bool
	AskUsername   bool
	Username      string
	status        int
}

func (s *Server) render(w http.ResponseWriter, p page) error {
	var b bytes.Buffer
	if err := pages.Execute(&b, p); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	if p.status == 0 {
		p.status = http.StatusOK
	}
	w.WriteHeader(p.status)
	_, err := w.Write(b.Bytes())
	return err
}

func (s *Server) donePage(w http.ResponseWriter, title, text string) error {
	return s.render(w, page{Title: title, Text: text})
}

// failPage shows why a link's form post was refused.
func (s *Server) failPage(w http.ResponseWriter, title string, err error) error {
	p := page{Title: title}
	p.status, p.Errors = errorLines(err)
	return s.render(w, p)
}

// errorLines turns an error into lines for a page.
func errorLines(err error) (int, []string) {
	e, _ := apiError(err)
	lines := []string{e.Message}
	if len(e.Fields) > 0 {
		lines = lines[:0]
		for f, why := range e.Fields {
			lines = append(lines, f+" "+why.String())
		}
	}
	return e.Status, lines
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request, token string, err error) error {
	p := page{Title: "Choose a new password", Action: "/v1/password-resets/confirm", Token: token,
		Button: "Set password", AskPassword: true,
		Text: passwordRules}
	if err != nil {
		p.status, p.Errors = errorLines(err)
	}
	return s.render(w, p)
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	return s.resetPage(w, r, r.URL.Query().Get("token"), nil)
}

func (s *Server) emailConfirmForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, page{Title: "Confirm your new email address", Action: "/v1/email/confirm",
		Token: r.URL.Query().Get("token"), Button: "Confirm",
		Text: "Confirm to make this address the one on your Phoneset account."})
}

// isForm reports a browser form post rather than an API call.
func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}

// decodeForm reads a small urlencoded form, refusing unknown keys and
// repeated values like decode does for JSON.
func decodeForm(w http.ResponseWriter, r *http.Request, allowed ...string) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	if err := r.ParseForm(); err != nil {
		if _, ok := apiError(err); ok {
			return nil, err
		}
		return nil, badRequest("the form could not be read", nil)
	}
	form := r.PostForm
	for k, v := range form {
		known := false
		for _, a := range allowed {
			known = known || k == a
		}
		if !known || len(v) != 1 {
			return nil, badRequest("the form has an unknown or repeated field", map[string]*api.Reason{k: api.Because(api.ReasonUnknownField)})
		}
	}
	return form, nil
}

func decodeResetConfirm(w http.ResponseWriter, r *http.Request) (api.PasswordResetConfirm, error) {
	if !isForm(r) {
		return decode[api.PasswordResetConfirm](w, r)
	}
	f, err := decodeForm(w, r, "login", "token", "password")
	if err != nil {
		return api.PasswordResetConfirm{}, err
	}
	return api.PasswordResetConfirm{Login: f.Get("login"), Token: f.Get("token"), Password: f.Get("password")}, nil
}
