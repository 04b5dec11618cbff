// Package account names the AWS account a simulated service belongs to
// when it is given none: the twelve zeros AWS's own local tools use.
package account

// Default is the account of a service built without one.
const Default = "000000000000"
