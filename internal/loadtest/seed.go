package loadtest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/store"
	_ "github.com/phoneset/phoneset/server/store/postgres" // Seed takes postgres:// too
)

// Seed prepares the database a server will run on: the demo organisation
// and n load users in it named load0001…, each with the demo password.
// It opens the backend in this process to do so and closes it again.
// Seeding again adds only missing users.
func Seed(ctx context.Context, db, dataDir string, n int) ([]User, error) {
	srv, err := server.Open(ctx, server.Config{DB: db, DataDir: dataDir})
	if err != nil {
		return nil, err
	}
	users, err := seed(ctx, srv, n)
	return users, errors.Join(err, srv.Close())
}

func seed(ctx context.Context, srv *server.Server, n int) ([]User, error) {
	demo, err := srv.SeedDemo(ctx)
	if err != nil {
		return nil, err
	}
	if demo.OrgID == "" {
		return nil, errors.New("loadtest: the database holds something other than the demo")
	}
	q := srv.Store().Q()
	// Every demo account has the same password; reusing its hash spares
	// hashing it n times here, while sign-ins still verify at full cost.
	admin, err := q.UserByLogin(ctx, demo.Admins[0].Login)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	users := make([]User, 0, n)
	for i := 1; i <= n; i++ {
		login := fmt.Sprintf("load%04d", i)
		u := &store.User{ID: "usr_" + login, OrgID: demo.OrgID, Username: login, Email: login + "@load.phoneset.test",
			PasswordHash: admin.PasswordHash, PasswordChangedAt: now, FirstName: "Load", LastName: fmt.Sprint(i),
			DisplayName: "Load " + fmt.Sprint(i), Language: "en", TimeZone: "Europe/Stockholm",
			Availability: "offline", StatusChangedAt: now, CreatedAt: now}
		if err := q.CreateUser(ctx, u); err != nil && !errors.Is(err, store.ErrConflict) {
			return nil, fmt.Errorf("loadtest: create %s: %w", login, err)
		}
		users = append(users, User{Login: login, Password: server.DemoPassword})
	}
	return users, nil
}
