package ecr

import (
	"fmt"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/tags"
)

// Tag is a repository tag, as ECR's API spells it.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// maxTags is ECR's limit of tags on one repository.
const maxTags = 50

func (s *Service) repoARN(r *repo) string {
	return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", r.Region, s.AccountID, r.Name)
}

// repoByARN finds the repository an ARN names: only repositories carry
// tags in ECR.
func (s *Service) repoByARN(region, arn string) (*repo, *awsjson.Error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ecr" || !strings.HasPrefix(parts[5], "repository/") {
		return nil, invalid("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'")
	}
	name := strings.TrimPrefix(parts[5], "repository/")
	r := s.St.repos[repoKey(parts[3], name)]
	if r == nil || parts[3] != region || parts[4] != s.AccountID {
		return nil, s.repoNotFound(name)
	}
	return r, nil
}

// tagRules are ECR's limits on a repository's tags.
var tagRules = tags.Rules{MaxKey: 128, MaxValue: 256, MaxTags: maxTags, Reserved: "aws:"}

func tagPair(t Tag) (string, string) { return t.Key, t.Value }

func mergeTags(have, add []Tag) ([]Tag, *awsjson.Error) {
	out, err := tags.Merge(have, add, tagPair, tagRules)
	if err == nil {
		return out, nil
	}
	switch err.Problem {
	case tags.BadKey, tags.BadValue:
		return nil, awsjson.BadRequest("InvalidTagParameterException", fmt.Sprintf("Invalid tag: key %q must be 1-128 and its value at most 256 characters", err.Key))
	case tags.ReservedKey:
		return nil, awsjson.BadRequest("InvalidTagParameterException", "Tag keys starting with aws: are reserved")
	}
	return nil, awsjson.BadRequest("TooManyTagsException", fmt.Sprintf("A repository can have at most %d tags", maxTags))
}

type tagIn struct {
	ResourceArn string `json:"resourceArn"`
	Tags        []Tag  `json:"tags"`
}

func (s *Service) tagResource(region string, in *tagIn) (struct{}, *awsjson.Error) {
	r, aerr := s.repoByARN(region, in.ResourceArn)
	if aerr != nil {
		return struct{}{}, aerr
	}
	merged, aerr := mergeTags(r.Tags, in.Tags)
	if aerr != nil {
		return struct{}{}, aerr
	}
	return struct{}{}, s.setTags(r, merged)
}

type untagIn struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func (s *Service) untagResource(region string, in *untagIn) (struct{}, *awsjson.Error) {
	r, aerr := s.repoByARN(region, in.ResourceArn)
	if aerr != nil {
		return struct{}{}, aerr
	}
	return struct{}{}, s.setTags(r, tags.Remove(r.Tags, in.TagKeys, tagPair, tagRules))
}

func (s *Service) setTags(r *repo, tt []Tag) *awsjson.Error {
	next := *r
	next.Tags = tt
	if err := s.St.putRepo(&next); err != nil {
		return internal(err)
	}
	return nil
}

type listTagsIn struct {
	ResourceArn string `json:"resourceArn"`
}

type listTagsOut struct {
	Tags []Tag `json:"tags"`
}

func (s *Service) listTagsForResource(region string, in *listTagsIn) (listTagsOut, *awsjson.Error) {
	r, aerr := s.repoByARN(region, in.ResourceArn)
	if aerr != nil {
		return listTagsOut{}, aerr
	}
	return listTagsOut{Tags: append([]Tag{}, r.Tags...)}, nil
}
