package ec2

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"testing"
)

// The Terraform provider reads an EFS mount target's zone with
// DescribeSubnets (e2e/terraform applies it through the real SDK); these
// cases pin the answers and the error documents the SDK decodes.
func TestDescribeSubnets(t *testing.T) {
	s := New("123456789012")
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		code   string // error code, or "" for a subnet list
		want   []subnet
	}{
		{"any well-formed id exists, in the region's first zone and the VPC named after it",
			url.Values{"Action": {"DescribeSubnets"}, "SubnetId.1": {"subnet-0123456789abcdef0"}, "SubnetId.2": {"subnet-01234567"}},
			http.StatusOK, "", []subnet{
				{SubnetID: "subnet-01234567", VpcID: "vpc-01234567", AvailabilityZone: "eu-west-1a", AvailabilityZoneID: "euw1-az1",
					SubnetArn: "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-01234567"},
				{SubnetID: "subnet-0123456789abcdef0", VpcID: "vpc-0123456789abcdef0", AvailabilityZone: "eu-west-1a", AvailabilityZoneID: "euw1-az1",
					SubnetArn: "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0123456789abcdef0"},
			}},
		{"a malformed id is refused as EC2 refuses it",
			url.Values{"Action": {"DescribeSubnets"}, "SubnetId.1": {"subnet-xyz"}}, http.StatusBadRequest, "InvalidSubnetID.Malformed", nil},
		{"listing every subnet is refused: there are no VPCs to list",
			url.Values{"Action": {"DescribeSubnets"}}, http.StatusBadRequest, "MissingParameter", nil},
		{"filters are refused, not ignored",
			url.Values{"Action": {"DescribeSubnets"}, "Filter.1.Name": {"vpc-id"}, "Filter.1.Value.1": {"vpc-1"}}, http.StatusBadRequest, "InvalidParameterCombination", nil},
		{"other actions are not served", url.Values{"Action": {"RunInstances"}}, http.StatusBadRequest, "InvalidAction", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := s.Handle("eu-west-1", tc.form)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.code != "" {
				var e errorResponse
				if err := xml.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 || e.Errors[0].Code != tc.code || e.Errors[0].Message == "" || e.RequestID == "" {
					t.Fatalf("error document %s (%v), want code %s with a message and a request id", body, err, tc.code)
				}
				return
			}
			var r describeSubnetsResponse
			if err := xml.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Subnets) != len(tc.want) {
				t.Fatalf("subnets %+v, want %+v", r.Subnets, tc.want)
			}
			for i, w := range tc.want {
				g := r.Subnets[i]
				if g.SubnetID != w.SubnetID || g.VpcID != w.VpcID || g.AvailabilityZone != w.AvailabilityZone ||
					g.AvailabilityZoneID != w.AvailabilityZoneID || g.SubnetArn != w.SubnetArn || g.State != "available" || g.CidrBlock == "" {
					t.Errorf("subnet %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
