package ecs

import (
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/tags"
)

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// tagRules are ECS's limits on a resource's tags; ECS reserves no prefix.
var tagRules = tags.Rules{MaxKey: 128, MaxValue: 256, MaxTags: 50}

func tagPair(t tag) (string, string) { return t.Key, t.Value }

// checkTags applies ECS's limits to the tags a create call gives.
func checkTags(add []tag) *awsjson.Error {
	_, aerr := mergeTags(nil, add)
	return aerr
}

// mergeTags sets add over old, keeping old's order for keys it had. ECS
// counts the tags given before it looks at any of them.
func mergeTags(old, add []tag) ([]tag, *awsjson.Error) {
	if len(add) > tagRules.MaxTags {
		return nil, invalid("Too many tags specified. Max 50.")
	}
	out, err := tags.Merge(old, add, tagPair, tagRules)
	switch {
	case err == nil:
		return out, nil
	case err.Problem == tags.TooMany:
		return nil, invalid("Too many tags specified. Max 50.")
	}
	return nil, invalid("The specified tag key or value is invalid.")
}

// resourceExists reports whether arn names a cluster, task definition or
// task this service knows.
func (s *Service) resourceExists(arn string) bool {
	if s.St.clusters[arn] != nil || s.St.taskDefs[arn] != nil {
		return true
	}
	_, ok := s.tasks[arn]
	return ok
}

func (s *Service) checkResource(arn string) *awsjson.Error {
	if arn == "" {
		return invalid("resourceArn can not be blank.")
	}
	if !strings.HasPrefix(arn, "arn:aws:ecs:") {
		return invalid("Invalid identifier: Unexpected number of separators")
	}
	if !s.resourceExists(arn) {
		if strings.Contains(arn, ":cluster/") {
			return clusterNotFound()
		}
		return invalid("The specified resource could not be found.")
	}
	return nil
}

type tagResourceIn struct {
	ResourceArn string   `json:"resourceArn"`
	Tags        []tag    `json:"tags"`
	TagKeys     []string `json:"tagKeys"`
}

type empty struct{}

func (s *Service) tagResource(_ string, in *tagResourceIn) (empty, *awsjson.Error) {
	if aerr := s.checkResource(in.ResourceArn); aerr != nil {
		return empty{}, aerr
	}
	merged, aerr := mergeTags(s.St.tags[in.ResourceArn], in.Tags)
	if aerr != nil {
		return empty{}, aerr
	}
	if err := s.St.putTags(in.ResourceArn, merged); err != nil {
		return empty{}, internal(err)
	}
	return empty{}, nil
}

func (s *Service) untagResource(_ string, in *tagResourceIn) (empty, *awsjson.Error) {
	if aerr := s.checkResource(in.ResourceArn); aerr != nil {
		return empty{}, aerr
	}
	kept := tags.Remove(s.St.tags[in.ResourceArn], in.TagKeys, tagPair, tagRules)
	if err := s.St.putTags(in.ResourceArn, kept); err != nil {
		return empty{}, internal(err)
	}
	return empty{}, nil
}

type listTagsOut struct {
	Tags []tag `json:"tags"`
}

func (s *Service) listTagsForResource(_ string, in *tagResourceIn) (listTagsOut, *awsjson.Error) {
	if aerr := s.checkResource(in.ResourceArn); aerr != nil {
		return listTagsOut{}, aerr
	}
	return listTagsOut{append([]tag{}, s.St.tags[in.ResourceArn]...)}, nil
}

// paginate pages a sorted list; tokens are offsets.
func paginate(items []string, token string, maxResults *int) ([]string, string, *awsjson.Error) {
	limit := 100
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 100 {
			return nil, "", invalid("maxResults must be between 1 and 100.")
		}
		limit = *maxResults
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", invalid("Invalid token %s", token)
		}
		start = n
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return append([]string{}, items[start:end]...), next, nil
}
