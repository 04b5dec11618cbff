// Package ec2 simulates the part of the Amazon EC2 query API that
// deploying Sockerless asks of it: DescribeSubnets, which the Terraform
// provider calls for an EFS mount target's availability zone.
//
// The simulator has no VPCs: ECS tasks, Lambda functions and EFS mount
// targets take any well-formed subnet id. So every well-formed subnet id
// exists here, in the region's first availability zone and in the VPC
// the other services derive from it (vpc-<the subnet id's suffix>), as
// the EFS simulator's mount targets report them.
package ec2

import (
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/simulators/kit/reqid"
)

const xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/"

var subnetIDRE = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)

// Service answers EC2 calls for one account.
type Service struct {
	account string
}

// New returns an EC2 service for accountID.
func New(accountID string) *Service { return &Service{account: accountID} }

type subnet struct {
	SubnetID                string `xml:"subnetId"`
	SubnetArn               string `xml:"subnetArn"`
	State                   string `xml:"state"`
	VpcID                   string `xml:"vpcId"`
	OwnerID                 string `xml:"ownerId"`
	CidrBlock               string `xml:"cidrBlock"`
	AvailableIPAddressCount int    `xml:"availableIpAddressCount"`
	AvailabilityZone        string `xml:"availabilityZone"`
	AvailabilityZoneID      string `xml:"availabilityZoneId"`
	DefaultForAz            bool   `xml:"defaultForAz"`
	MapPublicIPOnLaunch     bool   `xml:"mapPublicIpOnLaunch"`
}

type describeSubnetsResponse struct {
	XMLName   xml.Name `xml:"DescribeSubnetsResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	RequestID string   `xml:"requestId"`
	Subnets   []subnet `xml:"subnetSet>item"`
}

// Handle serves one query-protocol request of region whose form is
// already parsed.
func (s *Service) Handle(region string, form url.Values) (int, []byte) {
	switch action := form.Get("Action"); action {
	case "DescribeSubnets":
		return s.describeSubnets(region, form)
	case "":
		return Error(http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action")
	default:
		return Error(http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service (awssim serves only DescribeSubnets)", action))
	}
}

func (s *Service) describeSubnets(region string, form url.Values) (int, []byte) {
	var ids []string
	for k, v := range form {
		switch {
		case strings.HasPrefix(k, "SubnetId."):
			ids = append(ids, v...)
		case strings.HasPrefix(k, "Filter."), k == "MaxResults", k == "NextToken":
			return Error(http.StatusBadRequest, "InvalidParameterCombination",
				"awssim: DescribeSubnets takes subnet ids only: the simulator has no VPCs to list or filter (every well-formed subnet id exists)")
		}
	}
	if len(ids) == 0 {
		return Error(http.StatusBadRequest, "MissingParameter",
			"awssim: DescribeSubnets needs SubnetId.N: the simulator has no VPCs to list (every well-formed subnet id exists)")
	}
	sort.Strings(ids)
	r := describeSubnetsResponse{Xmlns: xmlns, RequestID: reqid.New()}
	for _, id := range ids {
		m := subnetIDRE.FindStringSubmatch(id)
		if m == nil {
			return Error(http.StatusBadRequest, "InvalidSubnetID.Malformed", fmt.Sprintf("Invalid id: %q (expecting \"subnet-...\")", id))
		}
		r.Subnets = append(r.Subnets, subnet{
			SubnetID: id, SubnetArn: fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", region, s.account, id),
			State: "available", VpcID: "vpc-" + m[1], OwnerID: s.account,
			CidrBlock: cidr(id), AvailableIPAddressCount: 251,
			AvailabilityZone: region + "a", AvailabilityZoneID: zoneID(region),
		})
	}
	b, err := xml.Marshal(r)
	if err != nil {
		return Error(http.StatusInternalServerError, "InternalError", err.Error())
	}
	return http.StatusOK, append([]byte(xml.Header), b...)
}

// cidr is a /24 of 10.0.0.0/8 that stays the same for a subnet id.
func cidr(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	n := h.Sum32()
	return fmt.Sprintf("10.%d.%d.0/24", n>>8&0xff, n&0xff)
}

// zoneID is the zone id of the region's first zone as the EFS simulator
// reports it for us-east-1 ("use1-az1"), and alike for other regions.
func zoneID(region string) string {
	parts := strings.Split(region, "-") // us, east, 1
	if len(parts) != 3 || len(parts[0]) < 2 || parts[1] == "" {
		return region + "-az1"
	}
	return parts[0][:2] + parts[1][:1] + parts[2] + "-az1"
}

type errorResponse struct {
	XMLName xml.Name `xml:"Response"`
	Errors  []struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Errors>Error"`
	RequestID string `xml:"RequestID"`
}

// Error renders an EC2 error document, which differs from the other
// query services' (Response/Errors/Error, RequestID).
func Error(status int, code, message string) (int, []byte) {
	e := errorResponse{RequestID: reqid.New()}
	e.Errors = append(e.Errors, struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}{code, message})
	b, _ := xml.Marshal(e)
	return status, append([]byte(xml.Header), b...)
}
