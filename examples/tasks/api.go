package main

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

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

// api holds the data: the users, fixed at start, and the tasks, in memory.
type api struct {
	users []jwtauth.User // ordered by ID

	mu     sync.Mutex
	tasks  []task // ordered by ID
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
	for _, u := range s.users {
		if u.ID == v.Text {
			return u.ID, nil
		}
	}
	// Django converts the value to the key's type: "01" finds user 1, and
	// "admin" is the wrong type when keys are integers.
	if n, err := strconv.ParseInt(v.Text, 10, 64); err == nil {
		for _, u := range s.users {
			if u.ID == strconv.FormatInt(n, 10) {
				return u.ID, nil
			}
		}
	} else if v.Kind == drf.String && len(s.users) > 0 && drf.PK(s.users[0].ID).IsInteger() {
		return "", []string{"Incorrect type. Expected pk value, received str."}
	}
	return "", []string{fmt.Sprintf("Invalid pk %q - object does not exist.", v.Text)}
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

// userList serves /users/: GET lists the users. The list is read-only here
// (the tutorial's UserViewSet also creates users; this example has no need
// to).
func (s *api) userList(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		drf.WriteJSON(w, http.StatusOK, s.userViews())
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
