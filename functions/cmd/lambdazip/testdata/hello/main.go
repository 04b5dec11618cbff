// Command hello is what lambdazip's test builds: small and quick.
package main

import "fmt"

func main() { fmt.Println("hello") }
