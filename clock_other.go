//go:build !(linux && amd64)

package jwtauth

import "time"

// wallClock is the default Settings.Now (see clock_linux_amd64.go).
func wallClock() time.Time { return time.Now() }
