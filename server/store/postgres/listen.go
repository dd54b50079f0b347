package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen is store.Engine.Listen: LISTEN on a connection of its own,
// redialled with capped backoff when lost.
func listen(ctx context.Context, dsn, channel string, fn func(payload string)) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		listenOnce(ctx, dsn, channel, func() {
			fn("") // listening now; what came before was not heard
			backoff = 100 * time.Millisecond
		}, fn)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listenOnce listens until the connection fails or ctx ends; ready runs
// once LISTEN is in place.
func listenOnce(ctx context.Context, dsn, channel string, ready func(), fn func(string)) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return
	}
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		fn(n.Payload)
	}
}
