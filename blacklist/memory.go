package blacklist

import (
	"context"
	"sync"
)

// Memory is a Store in memory.
type Memory struct {
	mu sync.Mutex
	m  map[string]bool
}

// NewMemory returns an empty Memory.
func NewMemory(max int) *Memory { return &Memory{m: map[string]bool{}} }

// Outstanding records t.
func (m *Memory) Outstanding(ctx context.Context, t Token) error { return nil }

// Blacklist blacklists t.
func (m *Memory) Blacklist(ctx context.Context, t Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[t.JTI] = true
	return nil
}

// Blacklisted reports whether jti is blacklisted.
func (m *Memory) Blacklisted(ctx context.Context, jti string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m[jti], nil
}
