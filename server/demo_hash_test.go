package server

import "testing"

// The demo hash shipped in the binary must verify the demo password with
// today's parameters, or demo sign-in would fail (or rehash on every start).
func TestDemoHashVerifies(t *testing.T) {
	ok, rehash := verifyPassword(DemoPassword, demoHash, DefaultHashParams)
	if !ok || rehash {
		t.Fatalf("demo hash: verifies %v, needs rehash %v; regenerate it with hashPassword(DemoPassword, DefaultHashParams)", ok, rehash)
	}
	if ok, _ := verifyPassword("Phoneset-demo-2", demoHash, DefaultHashParams); ok {
		t.Fatal("demo hash accepts another password")
	}
}
