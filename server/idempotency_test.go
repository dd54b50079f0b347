package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestIdempotencyKey(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		h := map[string]string{"If-Match": `"1"`, api.HeaderIdempotencyKey: "k-1"}
		first := e.do(req{method: "PATCH", path: "/v1/me/profile", token: a.AccessToken, header: h, body: api.ProfilePatch{DisplayName: ptr("Bo 1")}})
		wantStatus(t, first, 200)
		again := e.do(req{method: "PATCH", path: "/v1/me/profile", token: a.AccessToken, header: h, body: api.ProfilePatch{DisplayName: ptr("Bo 1")}})
		wantStatus(t, again, 200)
		if string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("ETag") != `"2"` {
			t.Fatalf("replay %s %v, first %s", again.body, again.header, first.body)
		}
		var p api.Profile
		e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken}).decode(t, &p)
		if p.Version != 2 {
			t.Fatalf("version %d after a replayed write", p.Version)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, header: map[string]string{api.HeaderIdempotencyKey: "k-1"},
			body: api.EmailChangeRequest{Email: "x@example.com"}}), 422, api.CodeInvalid)
		// Keys are per user.
		b := e.admin()
		wantStatus(t, e.do(req{method: "PATCH", path: "/v1/me/profile", token: b.AccessToken, header: h, body: api.ProfilePatch{DisplayName: ptr("Ada 1")}}), 200)
	})
}

// Ten identical orders sent at the same moment with one Idempotency-Key
// buy once, and every sender gets that one order.
func TestIdempotencyConcurrentOrders(t *testing.T) {
	const rounds, parallel = 20, 10
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		order := api.OrderRequest{Items: []api.OrderItem{{SKU: api.LicensePro, Quantity: 1}}}
		ids := map[string]bool{}
		for round := range rounds {
			key := map[string]string{api.HeaderIdempotencyKey: fmt.Sprintf("race-%d", round)}
			answers := e.race(parallel, func(int) req {
				return req{method: "POST", path: "/v1/org/orders", token: adm.AccessToken, body: order, header: key}
			})
			for i, a := range answers {
				if a.status != http.StatusCreated || !bytes.Equal(a.body, answers[0].body) {
					t.Fatalf("round %d: answer %d is %d %s, answer 0 is %d %s", round, i, a.status, a.body, answers[0].status, answers[0].body)
				}
			}
			var o api.Order
			answers[0].decode(t, &o)
			ids[o.ID] = true
		}
		orders, _ := orgGet[[]api.Order](t, e, adm, "/v1/org/orders")
		if len(orders) != rounds || len(ids) != rounds {
			t.Fatalf("%d rounds made %d orders (%d distinct answers)", rounds, len(orders), len(ids))
		}
		l, _ := orgGet[api.Licenses](t, e, adm, "/v1/org/licenses")
		if pro := licenseCount(t, l, api.LicensePro); pro.Total != 5+rounds {
			t.Errorf("pro licenses = %+v, want %d", pro, 5+rounds)
		}
	})
}

// A key is one request: sent again with another body, method or path it
// is refused, even while the first is running, and nothing is applied.
func TestIdempotencyKeyReuse(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		key := map[string]string{api.HeaderIdempotencyKey: "reuse"}
		one := api.OrderRequest{Items: []api.OrderItem{{SKU: api.LicensePro, Quantity: 1}}}
		two := api.OrderRequest{Items: []api.OrderItem{{SKU: api.LicensePro, Quantity: 2}}}
		answers := e.race(10, func(i int) req {
			body := one
			if i%2 == 1 {
				body = two
			}
			return req{method: "POST", path: "/v1/org/orders", token: adm.AccessToken, body: body, header: key}
		})
		created := 0
		for _, a := range answers {
			switch a.status {
			case http.StatusCreated:
				created++
			case http.StatusUnprocessableEntity:
				if ae := a.apiErr(t); ae.Code != api.CodeInvalid || ae.Fields[api.HeaderIdempotencyKey] == nil {
					t.Errorf("refusal %s", a.body)
				}
			default:
				t.Errorf("answer %d %s", a.status, a.body)
			}
		}
		if created != 5 {
			t.Errorf("%d answers replayed the order, want the 5 with its body", created)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/org/cost-centers", token: adm.AccessToken, header: key,
			body: map[string]string{"name": "Sales"}}), 422, api.CodeInvalid)
		orders, _ := orgGet[[]api.Order](t, e, adm, "/v1/org/orders")
		if len(orders) != 1 {
			t.Fatalf("%d orders", len(orders))
		}
	})
}
