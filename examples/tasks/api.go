package main

import (
	"cmp"
	"crypto/rand"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/drf"
)

// task is the Task model of the tutorial.
type task struct {
	ID     int
	Title  string    // at most 100 characters
	DueTo  time.Time // UTC
	Person string    // the owner's user ID
}

// MarshalJSON writes a task as DRF's TaskSerializer does:
// {"id": 1, "title": "...", "due_to": "2016-10-18T19:12:01Z", "person": 1}.
func (t task) MarshalJSON() ([]byte, error) {
	return drf.Marshal(struct {
		ID     int    `json:"id"`
		Title  string `json:"title"`
		DueTo  string `json:"due_to"`
		Person drf.PK `json:"person"`
	}{t.ID, t.Title, formatDateTime(t.DueTo), drf.PK(t.Person)})
}

// api holds the data, in memory: the users, those of the store at start
// and those created by POST /users/, and the tasks.
type api struct {
	mu     sync.Mutex
	users  []jwtauth.User // ordered by ID
	tasks  []task         // ordered by ID
	lastID int
}

// newAPI returns an api over users with the tutorial's two tasks, owned by
// admin or, when there is no admin, by the user of the lowest ID.
func newAPI(users []jwtauth.User) *api {
	s := &api{users: slices.SortedFunc(slices.Values(users), compareUsers)}
	if len(s.users) == 0 {
		return s
	}
	owner := s.users[0]
	if i := slices.IndexFunc(s.users, func(u jwtauth.User) bool { return u.Username == "admin" }); i >= 0 {
		owner = s.users[i]
	}
	s.add(task{Title: "First one", DueTo: time.Date(2016, 10, 18, 19, 12, 1, 0, time.UTC), Person: owner.ID})
	s.add(task{Title: "Second one", DueTo: time.Date(2016, 10, 18, 19, 12, 10, 0, time.UTC), Person: owner.ID})
	return s
}

// compareUsers orders users by ID, numerically when both are integers.
func compareUsers(a, b jwtauth.User) int {
	x, errX := strconv.ParseInt(a.ID, 10, 64)
	y, errY := strconv.ParseInt(b.ID, 10, 64)
	if errX == nil && errY == nil {
		return cmp.Compare(x, y)
	}
	return cmp.Compare(a.ID, b.ID)
}

// add stores t under the next ID and returns it.
func (s *api) add(t task) task {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID++
	t.ID = s.lastID
	s.tasks = append(s.tasks, t)
	return t
}

// taskList serves /tasks/: GET lists the tasks, POST creates one.
func (s *api) taskList(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.mu.Lock()
		tasks := slices.Clone(s.tasks)
		s.mu.Unlock()
		drf.WriteJSON(w, http.StatusOK, tasks)
	case http.MethodPost:
		if !authenticated(w, r) {
			return
		}
		t, ok := s.readTask(w, r, task{}, false)
		if ok {
			drf.WriteJSON(w, http.StatusCreated, s.add(t))
		}
	case http.MethodOptions:
		drf.WriteJSON(w, http.StatusOK, drf.Metadata("Task List"))
	default:
		drf.MethodNotAllowed(w, r)
	}
}

// taskDetail serves /tasks/{id}/: GET, PUT (all fields), PATCH (some
// fields) and DELETE.
func (s *api) taskDetail(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete:
	case http.MethodOptions:
		drf.WriteJSON(w, http.StatusOK, drf.Metadata("Task Instance"))
		return
	default:
		drf.MethodNotAllowed(w, r)
		return
	}
	id, err := strconv.Atoi(chi.URLParam(r, "id"))
	s.mu.Lock()
	i := slices.IndexFunc(s.tasks, func(t task) bool { return t.ID == id })
	var old task
	if i >= 0 {
		old = s.tasks[i]
	}
	s.mu.Unlock()
	if err != nil || i < 0 {
		drf.NotFound(w, r)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		drf.WriteJSON(w, http.StatusOK, old)
		return
	}
	if !authenticated(w, r) {
		return
	}
	if r.Method == http.MethodDelete {
		s.mu.Lock()
		s.tasks = slices.DeleteFunc(s.tasks, func(t task) bool { return t.ID == id })
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	t, ok := s.readTask(w, r, old, r.Method == http.MethodPatch)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.IndexFunc(s.tasks, func(t task) bool { return t.ID == id }); i >= 0 {
		s.tasks[i] = t
		drf.WriteJSON(w, http.StatusOK, t)
		return
	}
	drf.NotFound(w, r) // deleted meanwhile
}

// authenticated reports whether the request passed authentication, which
// a.ReadOnly requires of every write. The user is in the request context:
// the check costs nothing and keeps a handler mounted without the
// middleware from accepting anonymous writes.
func authenticated(w http.ResponseWriter, r *http.Request) bool {
	if _, ok := jwtauth.UserFromContext(r.Context()); !ok {
		drf.PermissionDenied(w, r)
		return false
	}
	return true
}

// readTask decodes and validates the request body into base, answering
// DRF's 400 when it does not validate. With partial (PATCH), absent fields
// keep their value.
func (s *api) readTask(w http.ResponseWriter, r *http.Request, base task, partial bool) (task, bool) {
	fields, ok := drf.ReadFields(w, r, maxBody)
	if !ok {
		return task{}, false // DRF's 400, 413 or 415 is answered
	}
	t := base
	var errs drf.FieldErrors // DRF's 400 body, fields in the serializer's order
	check := func(name string, validate func(drf.Value) []string) {
		if v := fields.Get(name); v.Kind != drf.Missing || !partial {
			errs.Add(name, validate(v)...)
		}
	}
	check("title", func(v drf.Value) (msgs []string) { t.Title, msgs = drf.CharField(v, true, 100); return })
	check("due_to", func(v drf.Value) (msgs []string) { t.DueTo, msgs = validDateTime(v); return })
	check("person", func(v drf.Value) (msgs []string) { t.Person, msgs = s.validPerson(v); return })
	if !errs.Empty() {
		drf.WriteJSON(w, http.StatusBadRequest, errs)
		return task{}, false
	}
	return t, true
}

// validPerson checks a primary key of a user as DRF's
// PrimaryKeyRelatedField does.
func (s *api) validPerson(v drf.Value) (string, []string) {
	switch v.Kind {
	case drf.Missing:
		return "", []string{"This field is required."}
	case drf.Null:
		return "", []string{"This field may not be null."}
	case drf.Other:
		return "", []string{fmt.Sprintf("Incorrect type. Expected pk value, received %s.", v.Type)}
	}
	if v.Kind == drf.String && v.Text == "" {
		return "", []string{"This field may not be null."} // DRF turns "" into None for relations
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.ID == v.Text {
			return u.ID, nil
		}
	}
	// Django converts the value to the key's type, as Python's int()
	// does: " 1", "01" and 1.7 find user 1, and "admin" is the wrong type
	// when keys are integers.
	if n, ok := pyInt(v); ok {
		for _, u := range s.users {
			if u.ID == n {
				return u.ID, nil
			}
		}
	} else if v.Kind == drf.String && len(s.users) > 0 && drf.PK(s.users[0].ID).IsInteger() {
		return "", []string{"Incorrect type. Expected pk value, received str."}
	}
	return "", []string{`Invalid pk "` + v.Text + `" - object does not exist.`}
}

// userView is a user as the tutorial's UserSerializer writes one.
type userView struct {
	ID       drf.PK `json:"id"`
	Username string `json:"username"`
	Tasks    []int  `json:"tasks"`
}

// userViews returns the users, each with the IDs of their tasks.
func (s *api) userViews() []userView {
	s.mu.Lock()
	defer s.mu.Unlock()
	views := make([]userView, len(s.users))
	for i, u := range s.users {
		views[i] = userView{ID: drf.PK(u.ID), Username: u.Username, Tasks: []int{}}
		for _, t := range s.tasks {
			if t.Person == u.ID {
				views[i].Tasks = append(views[i].Tasks, t.ID)
			}
		}
	}
	return views
}

// userList serves /users/: GET lists the users, POST creates one.
func (s *api) userList(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		drf.WriteJSON(w, http.StatusOK, s.userViews())
	case http.MethodPost:
		if authenticated(w, r) {
			s.createUser(w, r)
		}
	case http.MethodOptions:
		drf.WriteJSON(w, http.StatusOK, drf.Metadata("User List"))
	default:
		drf.MethodNotAllowed(w, r)
	}
}

// userDetail serves /users/{id}/: GET answers one user.
func (s *api) userDetail(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		drf.WriteJSON(w, http.StatusOK, drf.Metadata("User Instance"))
		return
	default:
		drf.MethodNotAllowed(w, r)
		return
	}
	id := chi.URLParam(r, "id")
	for _, u := range s.userViews() {
		if string(u.ID) == id {
			drf.WriteJSON(w, http.StatusOK, u)
			return
		}
	}
	drf.NotFound(w, r)
}

// usernameChars is Django's UnicodeUsernameValidator: letters, digits and
// @.+-_ (Python's \w is Unicode letters and digits, and _).
var usernameChars = regexp.MustCompile(`^[\p{L}\p{N}_.@+-]+$`)

// createUser creates a user as DRF's ModelViewSet does with the tutorial's
// UserSerializer (id, username, tasks): the username is validated as
// Django's User.username (required, at most 150 characters of
// UnicodeUsernameValidator's, unique), tasks is a list of task ids, each
// of which becomes the new user's. The user has no password, as DRF
// leaves it, so cannot log in; like the tasks, it lives in memory only.
func (s *api) createUser(w http.ResponseWriter, r *http.Request) {
	fields, ok := drf.ReadFields(w, r, maxBody)
	if !ok {
		return // DRF's 400, 413 or 415 is answered
	}
	// Validation and creation under one lock: the username is unique and
	// the tasks exist when the user is added.
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs drf.FieldErrors
	username, msgs := drf.CharField(fields.Get("username"), true, 150, validUsername, s.uniqueUsername)
	errs.Add("username", msgs...)
	taskIDs, msgs := s.validTasks(fields, "tasks")
	errs.Add("tasks", msgs...)
	if !errs.Empty() {
		drf.WriteJSON(w, http.StatusBadRequest, errs)
		return
	}
	u := jwtauth.User{ID: s.newUserID(), Username: username, IsActive: true}
	s.users = append(s.users, u)
	slices.SortFunc(s.users, compareUsers)
	view := userView{ID: drf.PK(u.ID), Username: u.Username, Tasks: []int{}}
	for i := range s.tasks {
		if slices.Contains(taskIDs, s.tasks[i].ID) {
			s.tasks[i].Person = u.ID
			view.Tasks = append(view.Tasks, s.tasks[i].ID)
		}
	}
	drf.WriteJSON(w, http.StatusCreated, view)
}

// validUsername is Django's UnicodeUsernameValidator, run on the trimmed
// username.
func validUsername(name string) string {
	if !usernameChars.MatchString(name) {
		return "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	}
	return ""
}

// uniqueUsername is DRF's UniqueValidator on the username. s.mu is held.
func (s *api) uniqueUsername(name string) string {
	for _, u := range s.users {
		if u.Username == name {
			return "A user with that username already exists."
		}
	}
	return ""
}

// newUserID is the id Django gives a new user: one past the highest
// integer id (SQLite's AUTOINCREMENT, a PostgreSQL sequence), or a random
// UUID when no id is an integer (a model keyed by UUIDField). s.mu is held.
func (s *api) newUserID() string {
	next, found := new(big.Int), false
	for _, u := range s.users {
		if n, ok := new(big.Int).SetString(u.ID, 10); ok && drf.PK(u.ID).IsInteger() {
			if !found || n.Cmp(next) >= 0 {
				next.Add(n, big.NewInt(1))
			}
			found = true
		}
	}
	if found {
		return next.String()
	}
	// A version 4 UUID, as Python's uuid.uuid4(). crypto/rand never fails:
	// it crashes the program instead.
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// validTasks reads the task ids of field name as DRF's
// ManyRelatedField(PrimaryKeyRelatedField) does: a list (from a form,
// every value of the name, none when absent), whose items are looked up
// in order until one fails. s.mu is held.
func (s *api) validTasks(fields drf.Fields, name string) ([]int, []string) {
	v := fields.Get(name)
	items := v.Items
	if !fields.Form() {
		switch {
		case v.Kind == drf.Missing:
			return nil, []string{"This field is required."}
		case v.Kind == drf.Null:
			return nil, []string{"This field may not be null."}
		case v.Kind != drf.Other || v.Type == "bool":
			// Python iterates a list and a dict (its keys), nothing else.
			return nil, []string{fmt.Sprintf("Expected a list of items but got type %q.", pyType(v))}
		}
	}
	ids := []int{}
	for _, item := range items {
		id, msg := s.taskPK(item)
		if msg != "" {
			return nil, []string{msg}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// taskPK finds the task whose primary key v names, as
// PrimaryKeyRelatedField does: Django converts the value with Python's
// int(). s.mu is held.
func (s *api) taskPK(v drf.Value) (int, string) {
	text := v.Text
	switch {
	case v.Kind == drf.Null:
		text = "None"
	case v.Kind == drf.Other:
		return 0, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", v.Type)
	}
	n, ok := pyInt(v)
	if !ok && v.Kind == drf.String {
		return 0, "Incorrect type. Expected pk value, received str."
	}
	for _, t := range s.tasks {
		if ok && strconv.Itoa(t.ID) == n {
			return t.ID, ""
		}
	}
	return 0, `Invalid pk "` + text + `" - object does not exist.`
}

// pyType is Python's name for the type of a JSON value.
func pyType(v drf.Value) string {
	switch {
	case v.Kind == drf.String:
		return "str"
	case v.Kind == drf.Number && (strings.ContainsAny(v.Text, ".e") || strings.HasSuffix(v.Text, "inf")):
		return "float"
	case v.Kind == drf.Number:
		return "int"
	}
	return v.Type
}

// pyInt is Python's int() of a JSON number or a string, in decimal with no
// leading zero: a float is truncated (1.7 is 1), a string may have white
// space around it, a sign, Unicode digits and single underscores between
// digits (" +1_0 " is 10). ok is false where int() fails, and for an
// infinite float, where it raises OverflowError.
func pyInt(v drf.Value) (n string, ok bool) {
	switch v.Kind {
	case drf.Number:
		if !strings.ContainsAny(v.Text, ".e") && !strings.HasSuffix(v.Text, "inf") {
			return v.Text, true // an integer, as Python's str() wrote it
		}
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil || math.IsInf(f, 0) {
			return "", false
		}
		i, _ := big.NewFloat(f).Int(nil) // truncates toward zero, as int() does
		return i.String(), true
	case drf.String:
	default:
		return "", false
	}
	s := strings.TrimFunc(v.Text, func(r rune) bool { return unicode.IsSpace(r) || (0x1c <= r && r <= 0x1f) })
	neg := strings.HasPrefix(s, "-")
	if neg || strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return "", false
	}
	digits := make([]byte, 0, len(s))
	for _, r := range s {
		if r == '_' {
			continue
		}
		d, ok := digitValue(r)
		if !ok {
			return "", false
		}
		digits = append(digits, '0'+d)
	}
	i, _ := new(big.Int).SetString(string(digits), 10)
	if neg {
		i.Neg(i)
	}
	return i.String(), true
}

// digitValue is the value of a Unicode decimal digit (category Nd), which
// Python's int() reads as its ASCII peer. Unicode keeps each set of ten
// in order, from zero, in consecutive code points.
func digitValue(r rune) (byte, bool) {
	if !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	zero := r
	for zero > 0 && unicode.Is(unicode.Nd, zero-1) {
		zero--
	}
	return byte((r - zero) % 10), true
}
