package client_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// These tests run the client against the real backend (SQLite, loopback).

func signedIn(t *testing.T, url, login, password string) *client.Client {
	t.Helper()
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(context.Background(), api.SignInRequest{Login: login, Password: password, Device: "client test"}); err != nil {
		t.Fatalf("sign in %s: %v", login, err)
	}
	return c
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, status int, code string) *api.Error {
	t.Helper()
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != status || ae.Code != code {
		t.Fatalf("err = %v, want %d %s", err, status, code)
	}
	return ae
}

// lastMessage returns the newest dev outbox message to to.
func lastMessage(t *testing.T, c *client.Client, to string) api.DevMessage {
	t.Helper()
	msgs, err := c.DevOutbox(context.Background())
	check(t, err)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == to {
			return msgs[i]
		}
	}
	t.Fatalf("no message to %s in %+v", to, msgs)
	return api.DevMessage{}
}

var (
	sixDigits = regexp.MustCompile(`\b(\d{6})\b`)
	pasteCode = regexp.MustCompile(`paste this code into Phoneset: (\S+)`)
	linkToken = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)
)

func TestRealServerProfileAndErrors(t *testing.T) {
	_, url, _ := servertest.New(t)
	ctx := context.Background()
	c := signedIn(t, url, "agent1", server.DemoPassword)

	me, err := c.Me(ctx)
	check(t, err)
	v := me.Profile.Version
	name := "Agent Uno"
	p, err := c.UpdateProfile(ctx, v, api.ProfilePatch{DisplayName: &name})
	check(t, err)
	if p.DisplayName != name || p.Version <= v {
		t.Fatalf("updated %+v", p)
	}

	// A stale version is refused unless the change is already there.
	other := "Someone Else"
	_, err = c.UpdateProfile(ctx, v, api.ProfilePatch{DisplayName: &other})
	wantCode(t, err, 412, api.CodeStale)

	// Field errors come back by field.
	empty := " "
	ae := wantCode(t, func() error {
		_, err := c.UpdateProfile(ctx, p.Version, api.ProfilePatch{DisplayName: &empty})
		return err
	}(), 422, api.CodeInvalid)
	if ae.Fields["display_name"] == nil {
		t.Errorf("fields %v", ae.Fields)
	}
	taken := "agent2"
	ae = wantCode(t, func() error {
		_, err := c.UpdateProfile(ctx, p.Version, api.ProfilePatch{Username: &taken})
		return err
	}(), 409, api.CodeConflict)
	if ae.Fields["username"] == nil {
		t.Errorf("taken username fields %v", ae.Fields)
	}

	// A repeated idempotency key replays the first answer instead of
	// applying the write again.
	key := client.NewIdempotencyKey()
	first := "Replayed"
	p1, err := c.UpdateProfile(client.WithIdempotencyKey(ctx, key), p.Version, api.ProfilePatch{FirstName: &first})
	check(t, err)
	p2, err := c.UpdateProfile(client.WithIdempotencyKey(ctx, key), p.Version, api.ProfilePatch{FirstName: &first})
	check(t, err)
	if p2.Version != p1.Version {
		t.Errorf("replay answered version %d, first answer %d", p2.Version, p1.Version)
	}

	// Status and notifications, with If-Match.
	s, err := c.Status(ctx)
	check(t, err)
	reason := me.Org.ReasonCodes[0].Code
	s2, err := c.SetStatus(ctx, s.Version, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: reason})
	check(t, err)
	if s2.Availability != api.Unavailable || s2.QueueEligible {
		t.Errorf("status %+v", s2)
	}
	_, err = c.SetStatus(ctx, s2.Version, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "no-such-reason"})
	wantCode(t, err, 422, api.CodeInvalid)
	_, err = c.ExtendStatus(ctx, s2.Version, 5)
	wantCode(t, err, 422, api.CodeInvalid) // no timer runs
	s3, err := c.SetStatus(ctx, s2.Version, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: reason, Minutes: new(15)})
	check(t, err)
	if s3, err = c.ExtendStatus(ctx, s3.Version, 5); err != nil || s3.Until == nil || time.Until(*s3.Until) < 19*time.Minute {
		t.Errorf("extended %+v %v", s3, err)
	}
	n, err := c.Notifications(ctx)
	check(t, err)
	n.EmailVoicemails = !n.EmailVoicemails
	n2, err := c.UpdateNotifications(ctx, n.Version, n)
	check(t, err)
	if n2.EmailVoicemails != n.EmailVoicemails || n2.Version <= n.Version {
		t.Errorf("notifications %+v", n2)
	}

	plan, err := c.Plan(ctx)
	check(t, err)
	if plan.Name == "" || len(plan.Usage) == 0 {
		t.Errorf("plan %+v", plan)
	}

	// Wrong passwords are throttled with a Retry-After.
	anon, _ := client.New(url)
	var last error
	for range 8 {
		_, last = anon.SignIn(ctx, api.SignInRequest{Login: "agent2", Password: "Wrong-pass-1", Device: "x"})
	}
	ae = wantCode(t, last, 429, api.CodeRateLimited)
	if ae.RetryAfter <= 0 {
		t.Error("429 without Retry-After")
	}
}

func TestRealServerSessions(t *testing.T) {
	_, url, _ := servertest.New(t)
	ctx := context.Background()
	c := signedIn(t, url, "agent1", server.DemoPassword)
	other := signedIn(t, url, "agent1", server.DemoPassword)

	ss, err := c.Sessions(ctx)
	check(t, err)
	current := 0
	for _, s := range ss {
		if s.Current {
			current++
		}
	}
	if len(ss) != 2 || current != 1 {
		t.Fatalf("sessions %+v", ss)
	}

	// Refresh rotates both tokens; the old access token stops working.
	old := c.Tokens()
	fresh, err := c.Refresh(ctx)
	check(t, err)
	if fresh.AccessToken == old.AccessToken || fresh.RefreshToken == old.RefreshToken {
		t.Error("refresh did not rotate the tokens")
	}
	stale, _ := client.New(url, client.WithTokens(api.Tokens{AccessToken: old.AccessToken}))
	if _, err := stale.Me(ctx); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("old access token after refresh: %v", err)
	}

	check(t, c.RevokeOtherSessions(ctx))
	if _, err := other.Me(ctx); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("revoked session still works: %v", err)
	}
	if other.Tokens() != (api.Tokens{}) {
		t.Error("a revoked session's tokens were kept")
	}

	third := signedIn(t, url, "agent1", server.DemoPassword)
	ss, err = c.Sessions(ctx)
	check(t, err)
	for _, s := range ss {
		if !s.Current {
			check(t, c.RevokeSession(ctx, s.ID))
		}
	}
	if _, err := third.Me(ctx); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("session revoked by id still works: %v", err)
	}
	check(t, c.SignOut(ctx))
	if _, err := c.Me(ctx); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("after sign-out: %v", err)
	}
}

func TestRealServerVerifiedChanges(t *testing.T) {
	_, url, _ := servertest.New(t)
	ctx := context.Background()
	c := signedIn(t, url, "agent1", server.DemoPassword)

	// Mobile: a code by SMS.
	const mobile = "+46701234599"
	check(t, c.RequestMobileChange(ctx, mobile))
	code := sixDigits.FindStringSubmatch(lastMessage(t, c, mobile).Body)
	if code == nil {
		t.Fatal("no code in the SMS")
	}
	_, err := c.ConfirmMobile(ctx, "000000")
	if err == nil && code[1] != "000000" {
		t.Error("a wrong code was accepted")
	}
	p, err := c.ConfirmMobile(ctx, code[1])
	check(t, err)
	if p.Mobile != mobile {
		t.Errorf("mobile %q", p.Mobile)
	}

	// Email: a token by mail, confirmed while signed in and by the link.
	for i, confirm := range []func(string) (api.Profile, error){
		func(tok string) (api.Profile, error) { return c.ConfirmEmail(ctx, tok) },
		func(tok string) (api.Profile, error) {
			anon, _ := client.New(url)
			return anon.ConfirmEmailLink(ctx, tok)
		},
	} {
		addr := []string{"uno@example.com", "dos@example.com"}[i]
		check(t, c.RequestEmailChange(ctx, addr))
		tok := pasteCode.FindStringSubmatch(lastMessage(t, c, addr).Body)
		if tok == nil {
			t.Fatal("no token in the email")
		}
		p, err := confirm(tok[1])
		check(t, err)
		if !strings.EqualFold(p.Email, addr) {
			t.Errorf("email %q, want %q", p.Email, addr)
		}
	}

	// Password change, then a reset by email link.
	const pw2, pw3 = "Another-Phoneset-9", "Third-Phoneset-pass-7"
	wantCode(t, c.ChangePassword(ctx, "Not-the-current-1", pw2), 422, api.CodeInvalid)
	check(t, c.ChangePassword(ctx, server.DemoPassword, pw2))
	signedIn(t, url, "agent1", pw2)
	anon, _ := client.New(url)
	check(t, anon.RequestPasswordReset(ctx, api.PasswordResetRequest{Login: "agent1", Channel: "email"}))
	tok := linkToken.FindStringSubmatch(lastMessage(t, c, "dos@example.com").Body)
	if tok == nil {
		t.Fatal("no reset link")
	}
	check(t, anon.ConfirmPasswordReset(ctx, api.PasswordResetConfirm{Token: tok[1], Password: pw3}))
	signedIn(t, url, "agent1", pw3)
}

func TestRealServerPhotosAndAPIKey(t *testing.T) {
	_, url, _ := servertest.New(t)
	ctx := context.Background()
	c := signedIn(t, url, "agent2", server.DemoPassword)

	img := image.NewRGBA(image.Rect(0, 0, 300, 300))
	for x := range 300 {
		img.Set(x, x, color.RGBA{B: 255, A: 255})
	}
	var buf bytes.Buffer
	check(t, png.Encode(&buf, img))
	me, err := c.Me(ctx)
	check(t, err)
	u, err := c.UploadPhoto(ctx, api.PhotoAvatar, me.User.PhotoVersion, buf.Bytes(), "image/png")
	check(t, err)
	if !u.HasAvatar || u.PhotoVersion <= me.User.PhotoVersion {
		t.Fatalf("after upload %+v", u)
	}
	_, err = c.UploadPhoto(ctx, api.PhotoCover, me.User.PhotoVersion, buf.Bytes(), "image/png")
	wantCode(t, err, 412, api.CodeStale)
	jpeg, err := c.Photo(ctx, api.PhotoAvatar, 64)
	check(t, err)
	if !bytes.HasPrefix(jpeg, []byte{0xff, 0xd8}) {
		t.Errorf("avatar is not a JPEG: % x", jpeg[:min(4, len(jpeg))])
	}
	_, err = c.UploadPhoto(ctx, api.PhotoCover, u.PhotoVersion, []byte("GIF89a"), "image/gif")
	wantCode(t, err, 415, api.CodeUnsupportedMedia)
	u, err = c.RemovePhoto(ctx, api.PhotoAvatar, u.PhotoVersion)
	check(t, err)
	if u.HasAvatar {
		t.Error("avatar still there after removal")
	}
	_, err = c.Photo(ctx, api.PhotoAvatar, 64)
	wantCode(t, err, 404, api.CodeNotFound)

	k, err := c.APIKey(ctx)
	check(t, err)
	if k.Masked == "" || k.Key != "" {
		t.Errorf("masked key %+v", k)
	}
	_, err = c.RevealAPIKey(ctx, "Wrong-pass-1")
	if err == nil {
		t.Fatal("revealed with a wrong password")
	}
	full, err := c.RevealAPIKey(ctx, server.DemoPassword)
	check(t, err)
	regen, err := c.RegenerateAPIKey(ctx, server.DemoPassword)
	check(t, err)
	if full.Key == "" || regen.Key == "" || regen.Key == full.Key {
		t.Errorf("reveal %q, regenerate %q", full.Key, regen.Key)
	}

	// Deleting the account needs an admin; an agent is refused.
	err = c.DeleteAccount(ctx, server.DemoPassword)
	wantCode(t, err, 403, api.CodeForbidden)
}
