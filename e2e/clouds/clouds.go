// Package clouds lists the clouds the backend e2e suites run on: a new
// cloud is one implementation of cloud.Cloud and one line here.
package clouds

import (
	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/e2e/cloud"
)

// All is every registered cloud.
var All = []cloud.Cloud{
	awsdeploy.Cloud{},
}
