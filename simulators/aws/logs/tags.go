package logs

import (
	"maps"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/tags"
)

// maxTags is CloudWatch Logs' limit of tags on one log group.
const maxTags = 50

// checkClass accepts the log group classes whose behaviour the simulator
// has: STANDARD, and INFREQUENT_ACCESS, which differs only in features
// (metric filters, subscriptions) not simulated anyway. DELIVERY groups
// belong to vended-log delivery, which is not simulated.
func checkClass(c string) (string, *awsjson.Error) {
	switch c {
	case "", "STANDARD":
		return "", nil
	case "INFREQUENT_ACCESS":
		return c, nil
	case "DELIVERY":
		return "", invalid("awssim: the DELIVERY log group class (vended log delivery) is not simulated")
	}
	return "", invalid("1 validation error detected: Value '%s' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]", c)
}

func classOf(m groupMeta) string {
	if m.Class == "" {
		return "STANDARD"
	}
	return m.Class
}

// tagRules are CloudWatch Logs' limits on a log group's tags.
var tagRules = tags.Rules{MaxKey: 128, MaxValue: 256, MaxTags: maxTags, Reserved: "aws:"}

func mergeTags(have, add map[string]string) (map[string]string, *awsjson.Error) {
	out, err := tags.MergeMap(have, add, tagRules)
	if err == nil {
		return out, nil
	}
	switch err.Problem {
	case tags.BadKey:
		return nil, invalid("1 validation error detected: Value '%s' at 'tags' failed to satisfy constraint: Map keys must have length between 1 and 128", err.Key)
	case tags.BadValue:
		return nil, invalid("1 validation error detected: Value '%s' at 'tags' failed to satisfy constraint: Map value must have length less than or equal to 256", err.Value)
	case tags.ReservedKey:
		return nil, invalid("Tag keys starting with aws: are reserved for AWS use")
	}
	return nil, awsjson.BadRequest("TooManyTagsException", "A resource can have no more than 50 tags.")
}

// groupByARN finds the log group a tagging ARN names
// (arn:aws:logs:region:account:log-group:NAME, with or without ":*").
func (s *Service) groupByARN(region, arn string) (*group, *awsjson.Error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" {
		return nil, invalid("Invalid ARN format: %s", arn)
	}
	name := strings.TrimSuffix(parts[6], ":*")
	g := s.St.group(parts[3], name)
	if g == nil || parts[3] != region || parts[4] != s.AccountID {
		return nil, awsjson.BadRequest("ResourceNotFoundException", "The specified resource does not exist.")
	}
	return g, nil
}

type tagIn struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
}

func (s *Service) tagResource(region string, in *tagIn) (empty, *awsjson.Error) {
	g, aerr := s.groupByARN(region, in.ResourceArn)
	if aerr != nil {
		return empty{}, aerr
	}
	if len(in.Tags) == 0 {
		return empty{}, invalid("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	merged, aerr := mergeTags(g.meta.Tags, in.Tags)
	if aerr != nil {
		return empty{}, aerr
	}
	return empty{}, s.setTags(g, merged)
}

type untagIn struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func (s *Service) untagResource(region string, in *untagIn) (empty, *awsjson.Error) {
	g, aerr := s.groupByARN(region, in.ResourceArn)
	if aerr != nil {
		return empty{}, aerr
	}
	kept := maps.Clone(g.meta.Tags)
	for _, k := range in.TagKeys {
		delete(kept, k)
	}
	return empty{}, s.setTags(g, kept)
}

func (s *Service) setTags(g *group, tt map[string]string) *awsjson.Error {
	old := g.meta
	g.meta.Tags = tt
	if err := s.St.putGroup(g); err != nil {
		g.meta = old
		return internal(err)
	}
	return nil
}

type listTagsIn struct {
	ResourceArn string `json:"resourceArn"`
}

type listTagsOut struct {
	Tags map[string]string `json:"tags"`
}

func (s *Service) listTagsForResource(region string, in *listTagsIn) (listTagsOut, *awsjson.Error) {
	g, aerr := s.groupByARN(region, in.ResourceArn)
	if aerr != nil {
		return listTagsOut{}, aerr
	}
	out := maps.Clone(g.meta.Tags)
	if out == nil {
		out = map[string]string{}
	}
	return listTagsOut{Tags: out}, nil
}
