package main

// Validation of a task's due_to as DRF's DateTimeField does it; the title
// is a drf.CharField and the person is checked in api.go.

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jwtauth-go/jwtauth/drf"
)

// maxBody caps a request body: a task is a few hundred bytes.
const maxBody = 64 << 10

// isoDateTime is Django 3.2's datetime_re, which DRF's DateTimeField uses
// for ISO 8601 input; like Python's "$", it allows one final newline.
var isoDateTime = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?\n?$`)

const wrongDateTime = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."

// validDateTime checks due_to as DRF's DateTimeField does with USE_TZ and
// TIME_ZONE "UTC": ISO 8601, seconds and zone optional (no zone means UTC),
// returned in UTC.
func validDateTime(v drf.Value) (time.Time, []string) {
	switch v.Kind {
	case drf.Missing:
		return time.Time{}, []string{"This field is required."}
	case drf.Null:
		return time.Time{}, []string{"This field may not be null."}
	case drf.Number, drf.Other:
		return time.Time{}, []string{wrongDateTime}
	}
	m := isoDateTime.FindStringSubmatch(v.Text)
	if m == nil {
		return time.Time{}, []string{wrongDateTime}
	}
	n := func(s string) int { i, _ := strconv.Atoi(s); return i }
	year, month, day, hour, minute, second := n(m[1]), n(m[2]), n(m[3]), n(m[4]), n(m[5]), n(m[6])
	micro := n((m[7] + "000000")[:6])
	// Python's datetime() refuses what Go's time.Date would normalise.
	daysIn := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, []string{wrongDateTime}
	}
	zone := time.UTC
	if tz := m[8]; tz != "" && tz != "Z" {
		offset := 60 * n(tz[1:3])
		if len(tz) > 3 {
			offset += n(tz[len(tz)-2:])
		}
		if offset >= 24*60 {
			return time.Time{}, []string{wrongDateTime}
		}
		if tz[0] == '-' {
			offset = -offset
		}
		zone = time.FixedZone(tz, offset*60)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, micro*1000, zone).UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, []string{"Datetime value out of range."}
	}
	return t, nil
}

// formatDateTime writes t as DRF does: ISO 8601 in UTC with a Z,
// microseconds only when there are some.
func formatDateTime(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + "Z"
}
