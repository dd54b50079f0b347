package store

import (
	"context"
)

// Photo is one stored rendition of an avatar or cover.
type Photo struct {
	Kind          string // "avatar" or "cover"
	Size          int    // the rendition's width
	Width, Height int
	ContentType   string
	Data          []byte
}

// PutPhotos replaces every rendition of the user's photo of a kind.
func (q Q) PutPhotos(ctx context.Context, userID, kind string, ps []Photo) error {
	if err := q.DeletePhotos(ctx, userID, kind); err != nil {
		return err
	}
	for _, p := range ps {
		if _, err := q.exec(ctx, `INSERT INTO photos (user_id, kind, size, width, height, content_type, data)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, userID, kind, p.Size, p.Width, p.Height, p.ContentType, p.Data); err != nil {
			return classify(err)
		}
	}
	return nil
}

// DeletePhotos removes the user's photo of a kind.
func (q Q) DeletePhotos(ctx context.Context, userID, kind string) error {
	_, err := q.exec(ctx, `DELETE FROM photos WHERE user_id = ? AND kind = ?`, userID, kind)
	return err
}

// PhotoSizes lists the stored rendition widths, smallest first.
func (q Q) PhotoSizes(ctx context.Context, userID, kind string) ([]int, error) {
	rows, err := q.query(ctx, `SELECT size FROM photos WHERE user_id = ? AND kind = ? ORDER BY size`, userID, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// GetPhoto loads one rendition.
func (q Q) GetPhoto(ctx context.Context, userID, kind string, size int) (*Photo, error) {
	p := Photo{Kind: kind, Size: size}
	err := q.row(ctx, `SELECT width, height, content_type, data FROM photos WHERE user_id = ? AND kind = ? AND size = ?`,
		userID, kind, size).Scan(&p.Width, &p.Height, &p.ContentType, &p.Data)
	if err != nil {
		return nil, noRows(err)
	}
	return &p, nil
}
