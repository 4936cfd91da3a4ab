package throttle

// Tests of the built-in throttle on its own (the HTTP answers, Basic
// authentication and the settings are tested in the root package): rates
// as DRF parses them, exact budgets under concurrent attempts, refused
// configurations, and bounded memory under a flood of names.

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fixtureNow is the fixed clock of the tests, the root package's.
var fixtureNow = time.Unix(1700000000, 0)

// TestMemoryConcurrent (row 51, 73): with a fixed clock, concurrent
// attempts get exactly the budget; go test -race checks the locking.
func TestMemoryConcurrent(t *testing.T) {
	t.Parallel()
	m, err := NewMemory(Rate{N: 10, Period: time.Minute}, Rate{N: 7, Period: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var users [4]atomic.Int32
	var wg sync.WaitGroup
	for g := range 64 {
		wg.Go(func() {
			for i := range 50 {
				u := (g + i) % len(users)
				// Each goroutine has its own address: only the usernames limit.
				addr := netip.AddrFrom4([4]byte{10, 1, byte(g), byte(i)})
				if _, ok := m.Allow(context.Background(), Attempt{Username: fmt.Sprint("user", u), Addr: addr, Time: fixtureNow}); ok {
					users[u].Add(1)
				}
			}
		})
	}
	wg.Wait()
	for u := range users {
		if n := users[u].Load(); n != 10 {
			t.Errorf("user%d: %d attempts allowed, want 10", u, n)
		}
	}
}

// TestNewMemoryRefuses: rates that cannot be counted with, or no rate at
// all, are errors.
func TestNewMemoryRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ user, addr Rate }{
		{Rate{}, Rate{}},
		{Rate{N: 0, Period: time.Minute}, Rate{}},
		{Rate{N: 5}, Rate{}},
		{Rate{}, Rate{N: -1, Period: time.Hour}},
		{Rate{N: 2e9, Period: time.Second}, Rate{}},
		{Rate{N: 1, Period: 400 * 24 * time.Hour}, Rate{}},
	} {
		if _, err := NewMemory(tc.user, tc.addr); err == nil {
			t.Errorf("NewMemory(%+v, %+v): no error", tc.user, tc.addr)
		}
	}
}

// TestThrottleMemoryBounded (row 51): a flood of distinct usernames, or of
// IPv6 networks, never tracks more than maxTrackedKeys of them; when the
// table is full of live budgets new names are refused rather than a
// victim's spent budget forgotten; names whose budget is full again are
// forgotten when room is needed.
func TestThrottleMemoryBounded(t *testing.T) {
	t.Parallel()
	const rate = 5 // per minute: one attempt is tracked for 12 s
	for _, tc := range []struct {
		name    string
		perUser bool
		key     func(i int) Attempt
	}{
		{"usernames", true, func(i int) Attempt {
			return Attempt{Username: fmt.Sprintf("flood-%d-%s", i, strings.Repeat("x", i&63))}
		}},
		{"IPv6 networks", false, func(i int) Attempt {
			return Attempt{Addr: netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i), 15: 1})}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Rate{N: rate, Period: time.Minute}
			var m *Memory
			var err error
			if tc.perUser {
				m, err = NewMemory(r, Rate{})
			} else {
				m, err = NewMemory(Rate{}, r)
			}
			if err != nil {
				t.Fatal(err)
			}
			tracked := func() int {
				u, a := m.tracked()
				return u + a
			}
			at := func(a Attempt, d time.Duration) (time.Duration, bool) {
				a.Time = fixtureNow.Add(d)
				return m.Allow(context.Background(), a)
			}
			victim := tc.key(-1)
			for range rate {
				if _, ok := at(victim, 0); !ok {
					t.Fatal("the victim's budget is refused early")
				}
			}
			// The flood: one attempt per name, twice the table's size.
			admitted, refused := 0, 0
			for i := range 2 * maxTrackedKeys {
				wait, ok := at(tc.key(i), time.Second)
				if ok {
					admitted++
				} else {
					refused++
					if wait <= 0 || wait > 12*time.Second {
						t.Fatalf("a new name refused with a wait of %v", wait)
					}
				}
			}
			if n := tracked(); n != maxTrackedKeys || admitted != maxTrackedKeys-1 || refused != maxTrackedKeys+1 {
				t.Errorf("%d tracked, %d admitted, %d refused; want %d, %d, %d", n, admitted, refused, maxTrackedKeys, maxTrackedKeys-1, maxTrackedKeys+1)
			}
			if _, ok := at(victim, 2*time.Second); ok {
				t.Error("the flood flushed the victim's spent budget")
			}
			// 12 s after the flood, its names' budgets are full again: they
			// are forgotten, new names fit, and the victim has earned back
			// one attempt, not five.
			if _, ok := at(tc.key(-2), 13*time.Second); !ok {
				t.Error("a new name is refused after the flood's budgets refilled")
			}
			if n := tracked(); n != 2 {
				t.Errorf("%d names tracked after the sweep, want 2 (the victim and the new one)", n)
			}
			if _, ok := at(victim, 13*time.Second); !ok {
				t.Error("the victim did not earn back an attempt")
			}
			if _, ok := at(victim, 13*time.Second); ok {
				t.Error("the victim earned back more than one attempt")
			}
		})
	}
}

// TestParseRate: DRF's parse_rate, as Python runs it on these strings,
// except that DRF's throttles with no attempts are errors here.
func TestParseRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Rate // zero: an error
	}{
		{"5/min", Rate{5, time.Minute}},
		{"5/m", Rate{5, time.Minute}},
		{"5/minute", Rate{5, time.Minute}},
		{"5/month", Rate{5, time.Minute}}, // DRF reads the first letter only
		{"10/s", Rate{10, time.Second}},
		{"10/sec", Rate{10, time.Second}},
		{"100/hour", Rate{100, time.Hour}},
		{"1000/day", Rate{1000, 24 * time.Hour}},
		{" 5 /min", Rate{5, time.Minute}},
		{"+5/min", Rate{5, time.Minute}},
		{"1000000000/s", Rate{1000000000, time.Second}},
		{"1000000001/s", Rate{}}, // more than one a nanosecond
		{"0/min", Rate{}},
		{"-1/h", Rate{}},
		{"5/Min", Rate{}},
		{"5/", Rate{}},
		{"5", Rate{}},
		{"5/min/x", Rate{}},
		{"5/ min", Rate{}},
		{"five/min", Rate{}},
		{"5_0/min", Rate{}},
		{"/min", Rate{}},
		{"99999999999999999999/d", Rate{}},
		{"", Rate{}},
	} {
		got, err := ParseRate(tc.in)
		if got != tc.want || (err == nil) != (tc.want != Rate{}) {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if err == nil {
			if again, err := ParseRate(got.String()); again != got || err != nil {
				t.Errorf("ParseRate(%q) = %v, %v", got.String(), again, err)
			}
		}
	}
}

// TestMemoryFullTableFallsBack: with both budgets configured, a name table
// full of made-up usernames still refilling does not refuse everybody: a
// new name is left to its address's budget, so a user logging in from an
// address of their own goes on, while the flooder's addresses, spent, stay
// refused; a victim's spent budget is never forgotten early.
func TestMemoryFullTableFallsBack(t *testing.T) {
	t.Parallel()
	m, err := NewMemory(Rate{N: 5, Period: time.Hour}, Rate{N: 20, Period: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	at := func(name string, addr netip.Addr, d time.Duration) (time.Duration, bool) {
		return m.Allow(context.Background(), Attempt{Username: name, Addr: addr, Time: fixtureNow.Add(d)})
	}
	flooder := func(i int) netip.Addr { // one /64 per 20 names
		return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, byte(i >> 8), byte(i), 15: 1})
	}
	victimAddr := netip.MustParseAddr("192.0.2.7")
	for range 5 {
		if _, ok := at("victim", victimAddr, 0); !ok {
			t.Fatal("the victim's budget is refused early")
		}
	}
	for i := range maxTrackedKeys {
		if _, ok := at(fmt.Sprintf("flood-%d", i), flooder(i/20), time.Second); !ok {
			t.Fatalf("flood attempt %d refused before the table is full", i)
		}
	}
	if users, _ := m.tracked(); users != maxTrackedKeys {
		t.Fatalf("%d names tracked, want the table full (%d)", users, maxTrackedKeys)
	}
	// The table is full of budgets refilling for the next 12 minutes.
	if _, ok := at("alice", netip.MustParseAddr("198.51.100.4"), 2*time.Second); !ok {
		t.Error("a user from their own address is refused: the full table locks everybody out")
	}
	if _, ok := at("flood-new", flooder(0), 2*time.Second); ok {
		t.Error("a new name from a flooder's spent address is admitted")
	}
	if _, ok := at("victim", netip.MustParseAddr("203.0.113.9"), 2*time.Second); ok {
		t.Error("the flood flushed the victim's spent budget")
	}
	// Untracked names still count against their address: alice's address
	// gets its 20 a minute, whatever names it tries.
	admitted := 1
	for i := range 30 {
		if _, ok := at(fmt.Sprintf("alice-%d", i), netip.MustParseAddr("198.51.100.4"), 3*time.Second); ok {
			admitted++
		}
	}
	if admitted != 20 {
		t.Errorf("an address tried new names %d times, want its budget, 20", admitted)
	}
}

// TestAddrKeyNAT64: IPv4 clients seen through NAT64 count by their IPv4
// address, like IPv4 clients, not all together as one IPv6 /64.
func TestAddrKeyNAT64(t *testing.T) {
	for in, want := range map[string]string{
		"64:ff9b::c000:207":     "192.0.2.7",
		"64:ff9b::198.51.100.4": "198.51.100.4",
		"::ffff:192.0.2.7":      "192.0.2.7",
		"192.0.2.7":             "192.0.2.7",
		"2001:db8:1:2:3:4:5:6":  "2001:db8:1:2::",
		"64:ff9b:1::c000:207":   "64:ff9b:1::", // the local-use prefix is an ordinary /64
		"fe80::1%eth0":          "fe80::",
	} {
		if got := addrKey(netip.MustParseAddr(in)); got != netip.MustParseAddr(want) {
			t.Errorf("addrKey(%s) = %s, want %s", in, got, want)
		}
	}
	m, err := NewMemory(Rate{}, Rate{N: 1, Period: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"64:ff9b::c000:201", "64:ff9b::c000:202"} {
		if _, ok := m.Allow(context.Background(), Attempt{Addr: netip.MustParseAddr(a), Time: fixtureNow}); !ok {
			t.Errorf("%s is refused: two NAT64 clients share a budget", a)
		}
	}
}
