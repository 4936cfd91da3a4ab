module github.com/jwtauth-go/jwtauth

go 1.25.0

require (
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	golang.org/x/crypto v0.55.0 // indirect
)
