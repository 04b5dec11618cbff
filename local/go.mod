module github.com/sockerless/sockerless/local

go 1.26.8
