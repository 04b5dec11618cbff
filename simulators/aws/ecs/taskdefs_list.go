package ecs

import (
	"sort"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

type listTaskDefsIn struct {
	FamilyPrefix string `json:"familyPrefix"`
	Status       string `json:"status"`
	Sort         string `json:"sort"`
	MaxResults   *int   `json:"maxResults"`
	NextToken    string `json:"nextToken"`
}

type listTaskDefsOut struct {
	TaskDefinitionArns []string `json:"taskDefinitionArns"`
	NextToken          string   `json:"nextToken,omitempty"`
}

func (s *Service) listTaskDefinitions(region string, in *listTaskDefsIn) (listTaskDefsOut, *awsjson.Error) {
	status := in.Status
	if status == "" {
		status = "ACTIVE"
	}
	var defs []*taskDef
	for _, d := range s.St.taskDefs {
		if d.Region == region && d.Status == status && (in.FamilyPrefix == "" || d.Family == in.FamilyPrefix) {
			defs = append(defs, d)
		}
	}
	sort.Slice(defs, func(i, j int) bool {
		if defs[i].Family != defs[j].Family {
			return defs[i].Family < defs[j].Family
		}
		return defs[i].Revision < defs[j].Revision
	})
	if in.Sort == "DESC" {
		for i, j := 0, len(defs)-1; i < j; i, j = i+1, j-1 {
			defs[i], defs[j] = defs[j], defs[i]
		}
	}
	arns := make([]string, len(defs))
	for i, d := range defs {
		arns[i] = d.ARN
	}
	page, next, aerr := paginate(arns, in.NextToken, in.MaxResults)
	if aerr != nil {
		return listTaskDefsOut{}, aerr
	}
	return listTaskDefsOut{page, next}, nil
}

type listFamiliesOut struct {
	Families  []string `json:"families"`
	NextToken string   `json:"nextToken,omitempty"`
}

func (s *Service) listTaskDefinitionFamilies(region string, in *listTaskDefsIn) (listFamiliesOut, *awsjson.Error) {
	var fams []string
	for k, revs := range s.St.families {
		r, fam, _ := strings.Cut(k, "/")
		if r != region || !strings.HasPrefix(fam, in.FamilyPrefix) {
			continue
		}
		active := false
		for _, d := range revs {
			active = active || d.Status == "ACTIVE"
		}
		if in.Status == "ALL" || (in.Status == "INACTIVE") != active {
			fams = append(fams, fam)
		}
	}
	sort.Strings(fams)
	page, next, aerr := paginate(fams, in.NextToken, in.MaxResults)
	if aerr != nil {
		return listFamiliesOut{}, aerr
	}
	return listFamiliesOut{page, next}, nil
}
