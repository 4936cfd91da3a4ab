module github.com/jwtauth-go/jwtauth

go 1.25.0

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/golang-jwt/jwt/v5 v5.3.1
	golang.org/x/crypto v0.55.0
)

require golang.org/x/sys v0.47.0 // indirect
