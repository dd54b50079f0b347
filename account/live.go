package account

import "github.com/phoneset/phoneset/api"

// ApplyStatus takes a status the server pushed (a change made on another
// device, by a supervisor or by a timer) unless the model already has that
// version or a newer one. It never waits on the network.
func (m *Model) ApplyStatus(s api.Status) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == nil || s.Version <= m.st.Me.Status.Version {
		return
	}
	next := m.st.clone()
	next.Me.Status = s
	m.commit(next, MeChanged)
}
