package server

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
	"github.com/phoneset/phoneset/server/store"
)

// photoKind reads {kind} of /v1/me/{kind}.
func photoKind(r *http.Request) (photo.Kind, error) {
	switch r.PathValue("kind") {
	case api.PhotoAvatar:
		return photo.Avatar, nil
	case api.PhotoCover:
		return photo.Cover, nil
	}
	return 0, api.ErrNotFound
}

// photoWrite reads the kind and If-Match of a photo write.
func photoWrite(r *http.Request) (photo.Kind, int64, error) {
	kind, err := photoKind(r)
	if err != nil {
		return 0, 0, err
	}
	version, err := ifMatch(r)
	return kind, version, err
}

// userView is the api.User of u.
func (s *Server) userView(ctx context.Context, u *store.User) (api.User, error) {
	perms, err := s.st.Q().Permissions(ctx, u.ID)
	if err != nil {
		return api.User{}, err
	}
	return api.User{ID: u.ID, OrgID: u.OrgID, Email: u.Email, Permissions: perms,
		HasAvatar: u.HasAvatar, HasCover: u.HasCover, PhotoVersion: u.PhotoVersion}, nil
}

// getPhoto serves the user's own avatar or cover (see servePhoto). With
// ?v= equal to the current photo version the answer may be cached for a
// year; otherwise it must be revalidated with its ETag.
func (s *Server) getPhoto(w http.ResponseWriter, r *http.Request, p *principal) error {
	kind, err := photoKind(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if has := map[photo.Kind]bool{photo.Avatar: u.HasAvatar, photo.Cover: u.HasCover}[kind]; !has {
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no " + kind.String() + " set"}
	}
	sizes, err := s.st.Q().PhotoSizes(ctx, u.ID, kind.String())
	if err != nil {
		return err
	}
	immutable := r.URL.Query().Get("v") == strconv.FormatInt(u.PhotoVersion, 10)
	return servePhoto(w, r, sizes, api.ETag(u.PhotoVersion), immutable, func(size int) (*store.Photo, error) {
		return s.st.Q().GetPhoto(ctx, u.ID, kind.String(), size)
	})
}

// getMyOrgPhoto serves the company avatar or default cover to any member
// of the organisation: it stands in for their own where the organisation
// sets it (OrgSummary.HasAvatar, HasCover).
func (s *Server) getMyOrgPhoto(w http.ResponseWriter, r *http.Request, p *principal) error {
	return s.serveOrgPhoto(w, r, p.OrgID)
}

// serveOrgPhoto serves an organisation's photo (see servePhoto),
// revalidated by the organisation's settings version.
func (s *Server) serveOrgPhoto(w http.ResponseWriter, r *http.Request, orgID string) error {
	kind, err := photoKind(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	o, err := s.st.Q().OrgProfileByID(ctx, orgID)
	if err != nil {
		return err
	}
	sizes, err := s.st.Q().OrgPhotoSizes(ctx, orgID, kind.String())
	if err != nil {
		return err
	}
	if len(sizes) == 0 {
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "the organisation has no " + kind.String()}
	}
	return servePhoto(w, r, sizes, api.ETag(o.SettingsVersion), false, func(size int) (*store.Photo, error) {
		return s.st.Q().GetOrgPhoto(ctx, orgID, kind.String(), size)
	})
}

// servePhoto answers with the stored rendition closest to ?size= (the
// smallest of sizes at least that wide, else the largest; without ?size=,
// the largest), or 304 when If-None-Match holds etag. immutable says the
// URL names this very version, so the answer may be cached for a year.
func servePhoto(w http.ResponseWriter, r *http.Request, sizes []int, etag string, immutable bool, load func(size int) (*store.Photo, error)) error {
	want := 1 << 30
	if v := r.URL.Query().Get("size"); v != "" {
		var err error
		if want, err = strconv.Atoi(v); err != nil || want < 0 || want > 10000 {
			return badRequest("size must be a width in pixels", map[string]*api.Reason{"size": api.Because(api.ReasonNotANumber)})
		}
	}
	if len(sizes) == 0 {
		return api.ErrNotFound
	}
	size := sizes[len(sizes)-1]
	for _, n := range sizes {
		if n >= want {
			size = n
			break
		}
	}
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Vary", "Authorization, X-API-Key")
	if immutable {
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagListMatches(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	ph, err := load(size)
	if err != nil {
		return err
	}
	h.Set("Content-Type", ph.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(ph.Data)))
	h.Set("Content-Disposition", "inline")
	w.WriteHeader(http.StatusOK)
	w.Write(ph.Data)
	return nil
}

func etagListMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// allowed checks the organisation's "members may choose their own
// avatar / cover" switch.
func (s *Server) photoAllowed(ctx context.Context, orgID string, kind photo.Kind) error {
	o, err := s.st.Q().OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	if (kind == photo.Avatar && !o.MembersChooseAvatar) || (kind == photo.Cover && !o.MembersChooseCover) {
		return api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonPhotoManaged))
	}
	return nil
}

// cropFrom reads an optional crop (?zoom=&x=&y=, see photo.Crop) for API
// callers that upload the uncropped original.
func cropFrom(q url.Values) (photo.Crop, error) {
	var c photo.Crop
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"zoom", &c.Zoom}, {"x", &c.X}, {"y", &c.Y}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n != n || n > 1e6 || n < -1e6 {
			return c, badRequest("crop values must be numbers", map[string]*api.Reason{f.name: api.Because(api.ReasonNotANumber)})
		}
		*f.dst = n
	}
	return c, nil
}

// putPhoto takes a JPEG or PNG body (≤ 5 MB, ≤ 40 megapixels by its
// header), applies EXIF orientation and the crop, and stores the kind's
// fixed sizes re-encoded without metadata.
func (s *Server) putPhoto(w http.ResponseWriter, r *http.Request, p *principal) error {
	kind, version, err := photoWrite(r)
	if err != nil {
		return err
	}
	if err := s.photoAllowed(r.Context(), p.OrgID, kind); err != nil {
		return err
	}
	data, mt, crop, err := readUpload(w, r)
	if err != nil {
		return err
	}
	return s.storePhoto(w, r, p, kind, version, data, crop, mt+" upload")
}

// readUpload checks that a photo upload is a JPEG or PNG, reads it within
// the size limit and takes the crop from the query.
func readUpload(w http.ResponseWriter, r *http.Request) (data []byte, mediaType string, crop photo.Crop, err error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "image/jpeg" && mt != "image/png" {
		return nil, "", crop, &api.Error{Status: http.StatusUnsupportedMediaType, Code: api.CodeUnsupportedMedia,
			Message: "send a JPEG or PNG image as image/jpeg or image/png"}
	}
	if crop, err = cropFrom(r.URL.Query()); err != nil {
		return nil, "", crop, err
	}
	data, err = photo.ReadLimited(http.MaxBytesReader(w, r.Body, photo.MaxBytes+1))
	return data, mt, crop, err
}

// renditions runs an upload through the image pipeline: the stored sizes,
// and what the audit log says of the source. It decodes within the decode
// budget, by the dimensions the header declares.
func renditions(ctx context.Context, data []byte, kind photo.Kind, crop photo.Crop, source string) ([]store.Photo, string, error) {
	info, err := photo.Inspect(data)
	if err != nil {
		return nil, "", err
	}
	release, err := reserveDecode(ctx, info)
	if err != nil {
		return nil, "", err
	}
	defer release()
	res, err := photo.Process(data, kind, crop)
	if err != nil {
		return nil, "", err
	}
	ps := make([]store.Photo, 0, len(res.Renditions))
	for _, rd := range res.Renditions {
		ps = append(ps, store.Photo{Kind: kind.String(), Size: rd.Size.X, Width: rd.Size.X, Height: rd.Size.Y,
			ContentType: "image/jpeg", Data: rd.JPEG})
	}
	return ps, fmt.Sprintf("%s %dx%d", source, res.Info.Width, res.Info.Height), nil
}

func (s *Server) storePhoto(w http.ResponseWriter, r *http.Request, p *principal, kind photo.Kind, version int64, data []byte, crop photo.Crop, source string) error {
	// A stale If-Match is refused before any pixel is decoded; savePhotos
	// checks again in its transaction.
	u, err := s.st.Q().UserByID(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	if err := checkVersion(u.PhotoVersion, version); err != nil {
		return err
	}
	ps, desc, err := renditions(r.Context(), data, kind, crop, source)
	if err != nil {
		return err
	}
	return s.savePhotos(w, r, p, kind, version, ps, kind.String()+".update", desc)
}

// decodeBudget bounds the pixels being decoded at once in this process, at
// 4 bytes each: one upload of photo.MaxPixels, or several smaller ones.
// Memory is the process's, so the budget is too, not one Server's.
const decodeBudget = photo.MaxPixels * 4

// decodeWait is how long an upload waits for room in the budget before it
// is turned away with 503 and Retry-After.
const decodeWait = 3 * time.Second

var decoding = semaphore.NewWeighted(decodeBudget)

var errDecodeBusy = &api.Error{Status: http.StatusServiceUnavailable, Code: api.CodeUnavailable, RetryAfter: 5 * time.Second,
	Message: "the server is busy with other images; try again in a moment"}

// reserveDecode takes room in the decode budget for an upload, by the
// dimensions its header declares; release gives it back.
func reserveDecode(ctx context.Context, info photo.Info) (release func(), err error) {
	n := int64(info.Width) * int64(info.Height) * 4
	ctx, cancel := context.WithTimeout(ctx, decodeWait)
	defer cancel()
	if err := decoding.Acquire(ctx, n); err != nil {
		return nil, errDecodeBusy
	}
	return func() {
		// The decoded pixels are garbage now but still in the heap: collect
		// them before the next upload may take their place, or the heap
		// holds the budget twice over.
		if n > decodeBudget/8 {
			runtime.GC()
		}
		decoding.Release(n)
	}, nil
}

// savePhotos replaces (or with no renditions removes) a photo if the
// photos are still at version, and answers the updated api.User.
func (s *Server) savePhotos(w http.ResponseWriter, r *http.Request, p *principal, kind photo.Kind, version int64, ps []store.Photo, action, desc string) error {
	ctx := r.Context()
	var u *store.User
	var err error
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = q.UserByID(ctx, p.UserID); err != nil {
			return err
		}
		if err := checkVersion(u.PhotoVersion, version); err != nil {
			return err
		}
		if err := q.PutPhotos(ctx, u.ID, kind.String(), ps); err != nil {
			return err
		}
		had := u.HasAvatar
		if kind == photo.Avatar {
			u.HasAvatar = len(ps) > 0
		} else {
			had = u.HasCover
			u.HasCover = len(ps) > 0
		}
		if err := q.SetPhotoFlags(ctx, u.ID, u.HasAvatar, u.HasCover, version); err != nil {
			return err
		}
		u.PhotoVersion = version + 1
		ev := s.event(p, u, action, userRes(u.ID, kind.String()))
		ev.Old, ev.New = map[bool]string{true: "photo", false: "none"}[had], desc
		return q.Audit(ctx, u.OrgID, ev)
	})
	if err != nil {
		return err
	}
	view, err := s.userView(ctx, u)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, u.PhotoVersion, view)
	return nil
}

func (s *Server) deletePhoto(w http.ResponseWriter, r *http.Request, p *principal) error {
	kind, version, err := photoWrite(r)
	if err != nil {
		return err
	}
	return s.savePhotos(w, r, p, kind, version, nil, kind.String()+".remove", "none")
}

// gravatarAvatar imports the avatar Gravatar has for the user's email
// (MD5 of the trimmed, lower-cased address) from Config.GravatarBaseURL.
func (s *Server) gravatarAvatar(w http.ResponseWriter, r *http.Request, p *principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.photoAllowed(ctx, p.OrgID, photo.Avatar); err != nil {
		return err
	}
	u, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	data, err := s.fetchGravatar(ctx, u.Email)
	if err != nil {
		return err
	}
	err = s.storePhoto(w, r, p, photo.Avatar, version, data, photo.Crop{}, "gravatar")
	var pe *photo.Error
	if errors.As(err, &pe) {
		e := api.Refused(http.StatusUnprocessableEntity, api.CodeInvalid, api.Because(api.ReasonGravatarFailed))
		e.Fields = map[string]*api.Reason{"image": photoReason(pe.Reason)}
		return e
	}
	return err
}

// errGravatarFailed is any failure to get a picture from Gravatar.
var errGravatarFailed = api.Refused(http.StatusBadGateway, api.CodeInternal, api.Because(api.ReasonGravatarFailed))

// photoReason is why a picture was refused, as the API says it.
func photoReason(r photo.Reason) *api.Reason {
	switch r {
	case photo.ReasonTooBig:
		return &api.Reason{Code: api.ReasonImageTooBig, Args: api.Args{"max_mb": photo.MaxBytes >> 20}}
	case photo.ReasonTooManyPixels:
		return &api.Reason{Code: api.ReasonImageTooManyPixels, Args: api.Args{"max_mp": photo.MaxPixels / 1_000_000}}
	}
	return api.Because(r.String())
}

func (s *Server) fetchGravatar(ctx context.Context, email string) ([]byte, error) {
	sum := md5.Sum([]byte(strings.ToLower(strings.TrimSpace(email))))
	u := strings.TrimRight(s.cfg.GravatarBaseURL, "/") + "/" + hex.EncodeToString(sum[:]) + "?s=512&d=404"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		s.log.Warn("gravatar fetch failed", "err", err)
		return nil, errGravatarFailed
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, api.Refused(http.StatusNotFound, api.CodeNotFound, api.Because(api.ReasonNoGravatar))
	case resp.StatusCode != http.StatusOK:
		s.log.Warn("gravatar answered", "status", resp.Status)
		return nil, errGravatarFailed
	}
	data, err := photo.ReadLimited(resp.Body)
	var pe *photo.Error
	if err != nil && !errors.As(err, &pe) {
		return nil, errGravatarFailed
	}
	return data, err
}
