package server_test

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

func testPNG(t testing.TB, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngBomb is a valid PNG signature and header declaring w×h pixels with
// almost no data: it must be refused from the header alone.
func pngBomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestPhotoUpload(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		put := func(kind string, data []byte, ctype string, version int64) resp {
			h := map[string]string{}
			if version > 0 {
				h = ifMatch(version)
			}
			return e.do(req{method: "PUT", path: "/v1/me/" + kind, token: a.AccessToken, body: data, ctype: ctype, header: h})
		}
		tests := []struct {
			name   string
			data   []byte
			ctype  string
			ver    int64
			status int
			code   string
		}{
			{"gif type", []byte("GIF89a...."), "image/gif", 1, 415, api.CodeUnsupportedMedia},
			{"gif bytes as png", []byte("GIF89a...."), "image/png", 1, 415, api.CodeUnsupportedMedia},
			{"too big", append(testPNG(t, 8, 8), make([]byte, 5<<20)...), "image/png", 1, 413, api.CodeTooLarge},
			{"pixel bomb", pngBomb(10000, 5000), "image/png", 1, 422, api.CodeInvalid},
			{"truncated", testPNG(t, 300, 300)[:200], "image/png", 1, 422, api.CodeInvalid},
			{"no If-Match", testPNG(t, 300, 300), "image/png", 0, 428, api.CodePreconditionRequired},
			{"stale", testPNG(t, 300, 300), "image/png", 9, 412, api.CodeStale},
			{"stale, with corrupt pixels", corruptIDAT(t, testPNG(t, 300, 300)), "image/png", 9, 412, api.CodeStale}, // refused before decoding
		}
		for _, tt := range tests {
			wantError(t, put("avatar", tt.data, tt.ctype, tt.ver), tt.status, tt.code)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/me/avatar", token: a.AccessToken}), 404, api.CodeNotFound)

		r := put("avatar", testPNG(t, 400, 300), "image/png", 1)
		wantStatus(t, r, 200)
		var u api.User
		r.decode(t, &u)
		if !u.HasAvatar || u.HasCover || u.PhotoVersion != 2 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("user after upload: %+v", u)
		}

		sizes := []struct{ query, etag string }{{"?size=64", ""}, {"?size=100", ""}, {"", ""}, {"?size=4000", ""}}
		wantW := []int{64, 128, 512, 512}
		for i, s := range sizes {
			r := e.do(req{method: "GET", path: "/v1/me/avatar" + s.query, token: a.AccessToken})
			wantStatus(t, r, 200)
			img, err := jpeg.Decode(bytes.NewReader(r.body))
			if err != nil || r.header.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("%s: %v %v", s.query, err, r.header)
			}
			if b := img.Bounds(); b.Dx() != wantW[i] || b.Dy() != wantW[i] {
				t.Errorf("%s: %v", s.query, b)
			}
			if bytes.Contains(r.body, []byte{0xFF, 0xE1}) || bytes.Contains(r.body, []byte("Exif")) {
				t.Errorf("%s: metadata survived", s.query)
			}
			if r.header.Get("ETag") != `"2"` || r.header.Get("Cache-Control") != "private, no-cache" {
				t.Errorf("%s: headers %v", s.query, r.header)
			}
		}
		r = e.do(req{method: "GET", path: "/v1/me/avatar", token: a.AccessToken, header: map[string]string{"If-None-Match": `"2"`}})
		if r.status != http.StatusNotModified || len(r.body) != 0 {
			t.Errorf("If-None-Match: %d", r.status)
		}
		r = e.do(req{method: "GET", path: "/v1/me/avatar?v=2", token: a.AccessToken})
		if !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
			t.Errorf("versioned URL: %v", r.header)
		}

		// Cover: 3:1 sizes; then remove the avatar.
		r = put("cover", testPNG(t, 900, 300), "image/png", 2)
		wantStatus(t, r, 200)
		r = e.do(req{method: "GET", path: "/v1/me/cover?size=700", token: a.AccessToken})
		img, err := jpeg.Decode(bytes.NewReader(r.body))
		if err != nil || img.Bounds().Dx() != 750 || img.Bounds().Dy() != 250 {
			t.Fatalf("cover: %v %v", err, r.status)
		}
		wantError(t, e.do(req{method: "DELETE", path: "/v1/me/avatar", token: a.AccessToken, header: ifMatch(2)}), 412, api.CodeStale)
		r = e.do(req{method: "DELETE", path: "/v1/me/avatar", token: a.AccessToken, header: ifMatch(3)})
		wantStatus(t, r, 200)
		u = api.User{}
		r.decode(t, &u)
		if u.HasAvatar || !u.HasCover || u.PhotoVersion != 4 {
			t.Fatalf("after remove: %+v", u)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/me/avatar", token: a.AccessToken}), 404, api.CodeNotFound)
		wantError(t, e.do(req{method: "GET", path: "/v1/me/banner", token: a.AccessToken}), 404, api.CodeNotFound)

		evs := auditActions(t, e, "")
		if evs["avatar.update"] != 1 || evs["cover.update"] != 1 || evs["avatar.remove"] != 1 {
			t.Errorf("audit %v", evs)
		}
	})
}

func TestPhotoOrgSwitches(t *testing.T) {
	e := newEnv(t)
	if _, err := e.srv.Store().DB().Exec(`UPDATE orgs SET members_choose_avatar = FALSE, members_choose_cover = FALSE, version = version + 1`); err != nil {
		t.Fatal(err)
	}
	a := e.agent1()
	for _, kind := range []string{"avatar", "cover"} {
		wantError(t, e.do(req{method: "PUT", path: "/v1/me/" + kind, token: a.AccessToken, body: testPNG(t, 300, 300), ctype: "image/png", header: ifMatch(1)}), 403, api.CodeForbidden)
	}
	wantError(t, e.do(req{method: "POST", path: "/v1/me/avatar/gravatar", token: a.AccessToken, header: ifMatch(1)}), 403, api.CodeForbidden)
}

func TestGravatar(t *testing.T) {
	sum := md5.Sum([]byte("agent1@demo.phoneset.test"))
	want := "/avatar/" + hex.EncodeToString(sum[:])
	pic := testPNG(t, 256, 256)
	var asked []string
	grav := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.String())
		if r.URL.Path != want || r.URL.Query().Get("d") != "404" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(pic)
	}))
	defer grav.Close()
	e := newEnvWith(t, server.Config{GravatarBaseURL: grav.URL + "/avatar/"})
	a := e.agent1()
	r := e.do(req{method: "POST", path: "/v1/me/avatar/gravatar", token: a.AccessToken, header: ifMatch(1)})
	wantStatus(t, r, 200)
	var u api.User
	r.decode(t, &u)
	if !u.HasAvatar || len(asked) != 1 {
		t.Fatalf("user %+v, asked %v", u, asked)
	}
	// The admin has no Gravatar.
	b := e.admin()
	wantError(t, e.do(req{method: "POST", path: "/v1/me/avatar/gravatar", token: b.AccessToken, header: ifMatch(1)}), 404, api.CodeNotFound)
}
