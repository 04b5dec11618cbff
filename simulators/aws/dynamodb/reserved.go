package dynamodb

import (
	_ "embed"
	"strings"
)

// reservedWords is DynamoDB's list of reserved words, which may not appear
// as bare attribute names in expressions (use #name placeholders):
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
//
//go:embed reserved_words.txt
var reservedWordsText string

var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(reservedWordsText) {
		m[w] = true
	}
	return m
}()

func isReserved(name string) bool { return reservedWords[strings.ToUpper(name)] }
