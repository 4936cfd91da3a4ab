package session

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// headerValue is request.META's view of a header: present or not, and its
// values joined with "," as a WSGI server joins a repeated header.
func headerValue(h http.Header, name string) (string, bool) {
	v, ok := h[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	if len(v) == 1 {
		return v[0], true
	}
	return strings.Join(v, ","), true
}

// cookieValue is request.COOKIES.get(name): django.http.parse_cookie of
// the Cookie header, decoded as UTF-8 with replacement. Unlike
// net/http's parser it keeps values of any characters, unquotes as
// Python's http.cookies does, and lets the last of a repeated name win.
func cookieValue(h http.Header, name string) (string, bool) {
	lines := h["Cookie"]
	var value string
	found := false
	for _, line := range lines {
		// The same name is rare: scan only the lines that mention it.
		if !strings.Contains(line, name) {
			continue
		}
		for chunk := range strings.SplitSeq(line, ";") {
			key, val, ok := strings.Cut(chunk, "=")
			if !ok {
				key, val = "", chunk
			}
			if pyStrip(key) != name {
				continue
			}
			value, found = unquoteCookie(strings.ToValidUTF8(pyStrip(val), "\uFFFD")), true
		}
	}
	return value, found
}

// pyStrip is Python's str.strip(): white space as str.isspace sees it,
// which counts the separators U+001C to U+001F.
func pyStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f })
}

// unquoteCookie is http.cookies._unquote: a value in double quotes loses
// them, and its backslash escapes (\ooo octal, \c) are undone.
func unquoteCookie(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteRune(rune((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0')))
			i += 3
			continue
		}
		// \c is c, for any one character but a newline (the "." of
		// _unquote's pattern).
		_, n := utf8.DecodeRuneInString(s[i+1:])
		if s[i+1] == '\n' {
			b.WriteByte('\\')
			continue
		}
		b.WriteString(s[i+1 : i+1+n])
		i += n
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// The form field that carries the token in a POST form.
const formField = "csrfmiddlewaretoken"

// formToken is request.POST.get("csrfmiddlewaretoken", "") of DRF's
// Request: the last value of the field in a urlencoded or multipart body,
// "" otherwise. It reads at most dataUploadMaxLen bytes of the body and
// puts them back, so the handler reads the body whole. Like DRF, it reads
// only a body whose Content-Length is known.
func formToken(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	base, _, _ := strings.Cut(ct, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	multipartBody := base == "multipart/form-data"
	if base != "application/x-www-form-urlencoded" && !multipartBody || r.ContentLength <= 0 || r.Body == nil {
		return ""
	}
	if !multipartBody && r.ContentLength > dataUploadMaxLen {
		return "" // Django refuses the request (RequestDataTooBig)
	}
	n := min(r.ContentLength, dataUploadMaxLen)
	buf := make([]byte, n)
	got, _ := io.ReadFull(r.Body, buf)
	buf = buf[:got]
	r.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(buf), r.Body), closer: r.Body}
	if !multipartBody {
		return urlencodedToken(buf)
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil || params["boundary"] == "" {
		return ""
	}
	return multipartToken(buf, params["boundary"])
}

// replayBody is a request body with what formToken read put back before
// the rest.
type replayBody struct {
	io.Reader
	closer io.Closer
}

func (b *replayBody) Close() error { return b.closer.Close() }

// urlencodedToken is QueryDict's parse_qsl: fields split on "&", name and
// value on the first "=", "+" a space, %XX decoded leniently; the last
// value of the field wins.
func urlencodedToken(body []byte) string {
	token := ""
	for field := range bytes.SplitSeq(body, []byte("&")) {
		if len(field) == 0 {
			continue
		}
		name, value, _ := bytes.Cut(field, []byte("="))
		if unquotePlus(name) == formField {
			token = unquotePlus(value)
		}
	}
	return token
}

// unquotePlus is urllib.parse.unquote_plus: %XX sequences that are not
// hexadecimal stay as they are; bytes become UTF-8 text with replacement.
func unquotePlus(b []byte) string {
	if bytes.IndexByte(b, '%') < 0 && bytes.IndexByte(b, '+') < 0 {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '+':
			out = append(out, ' ')
		case c == '%' && i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]):
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// multipartToken finds the field in the parts of body (all of them, or
// those that fit when the body was longer than what was read): the last
// part named csrfmiddlewaretoken that is not a file.
func multipartToken(body []byte, boundary string) string {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	token := ""
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			return token
		}
		if p.FormName() != formField || p.FileName() != "" {
			continue
		}
		v, err := io.ReadAll(io.LimitReader(p, csrfTokenLen+1))
		if err != nil {
			return token
		}
		token = string(v)
	}
}
