// Package clisuite holds the AWS CLI suite: its test builds cmd/awssim,
// starts it on a free loopback port with a temporary data directory and
// drives it with the real AWS CLI (v1) through --endpoint-url, asserting
// on the JSON the CLI prints. It skips when `aws` is not on PATH.
package clisuite
