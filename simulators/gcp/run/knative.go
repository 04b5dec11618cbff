package run

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"time"

	runpb "cloud.google.com/go/run/apiv2/runpb"
	runv1 "google.golang.org/api/run/v1"
	"google.golang.org/grpc/codes"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Cloud Run's v1 API (Knative serving, /apis/serving.knative.dev/v1),
// which gcloud run services speaks: services get, list and delete, over
// the services the v2 API keeps, as Cloud Run shows the same services
// through both. A v1 request names its region only in its host name
// (REGION-run.googleapis.com): a request whose host names one (a client
// whose proxy is the simulator) sees that region's services, any other
// (sent to the simulator's address) every region's of the project (the
// namespace). Deploying through v1 is refused, saying to use v2.

var (
	knativeRE = regexp.MustCompile(`^/apis/serving\.knative\.dev/v1/namespaces/([^/]+)/services(?:/([^/]+))?$`)
	// regionalHostRE is a regional endpoint's host: REGION-run.DOMAIN.
	regionalHostRE = regexp.MustCompile(`^([a-z]+-[a-z]+[0-9]+)-run\.`)
)

// KnativeRoute serves the v1 API's services.
func (s *Service) KnativeRoute() service.Route {
	return service.Route{
		Name:  "run-v1",
		Match: func(r *http.Request, _ []byte) bool { return knativeRE.MatchString(r.URL.Path) },
		Serve: func(w http.ResponseWriter, r *http.Request, _ []byte) { s.serveKnative(w, r) },
	}
}

func (s *Service) serveKnative(w http.ResponseWriter, r *http.Request) {
	m := knativeRE.FindStringSubmatch(r.URL.Path)
	ns, id, region := m[1], m[2], ""
	if h := regionalHostRE.FindStringSubmatch(r.Host); h != nil {
		region = h[1]
	}
	switch {
	case id == "" && r.Method == http.MethodGet:
		out := &runv1.ListServicesResponse{ApiVersion: "serving.knative.dev/v1", Kind: "ServiceList", Metadata: &runv1.ListMeta{}}
		s.locked(func(st *state) error {
			for _, name := range st.knativeNames(ns, region, "") {
				out.Items = append(out.Items, knativeOf(st.svcs[name], ns))
			}
			return nil
		})
		writeJSON(w, out)
	case id != "" && r.Method == http.MethodGet:
		var out *runv1.Service
		s.locked(func(st *state) error {
			if names := st.knativeNames(ns, region, id); len(names) > 0 {
				out = knativeOf(st.svcs[names[0]], ns)
			}
			return nil
		})
		if out == nil {
			googlerest.WriteError(w, errorf(codes.NotFound, "Resource '%s' of kind 'SERVICE' in project '%s' does not exist.", id, ns))
			return
		}
		writeJSON(w, out)
	case id != "" && r.Method == http.MethodDelete:
		var name string
		s.locked(func(st *state) error {
			if names := st.knativeNames(ns, region, id); len(names) > 0 {
				name = names[0]
			}
			return nil
		})
		if name == "" {
			googlerest.WriteError(w, errorf(codes.NotFound, "Resource '%s' of kind 'SERVICE' in project '%s' does not exist.", id, ns))
			return
		}
		if _, err := (servicesAPI{s: s}).DeleteService(context.Background(), &runpb.DeleteServiceRequest{Name: name}); err != nil {
			googlerest.WriteError(w, err)
			return
		}
		writeJSON(w, &runv1.Status{Status: "Success", Code: http.StatusOK, Details: &runv1.StatusDetails{Name: id, Kind: "services"}})
	default:
		googlerest.WriteError(w, errorf(codes.InvalidArgument, "gcpsim serves Cloud Run's v1 API for services get, list and delete only; deploy and update with the v2 API (run.googleapis.com/v2)"))
	}
}

// knativeNames are the v2 names of project ns's services in region (any
// when "") called id (all of them when ""), in name order. The caller
// holds the lock.
func (st *state) knativeNames(ns, region, id string) []string {
	var names []string
	for name := range st.svcs {
		if m := svcRE.FindStringSubmatch(name); m[1] == ns && (region == "" || m[2] == region) && (id == "" || m[3] == id) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// knativeOf is svc as the v1 API shows it.
func knativeOf(svc *runpb.Service, ns string) *runv1.Service {
	m := svcRE.FindStringSubmatch(svc.Name)
	labels := map[string]string{"cloud.googleapis.com/location": m[2]}
	for k, v := range svc.Labels {
		labels[k] = v
	}
	var containers []*runv1.Container
	for _, c := range svc.Template.GetContainers() {
		vc := &runv1.Container{Name: c.Name, Image: c.Image, Command: c.Command, Args: c.Args, WorkingDir: c.WorkingDir}
		for _, e := range c.Env {
			vc.Env = append(vc.Env, &runv1.EnvVar{Name: e.Name, Value: e.GetValue()})
		}
		for _, p := range c.Ports {
			vc.Ports = append(vc.Ports, &runv1.ContainerPort{Name: p.Name, ContainerPort: int64(p.ContainerPort)})
		}
		containers = append(containers, vc)
	}
	ready := map[runpb.Condition_State]string{runpb.Condition_CONDITION_SUCCEEDED: "True", runpb.Condition_CONDITION_FAILED: "False"}[svc.TerminalCondition.GetState()]
	if ready == "" {
		ready = "Unknown"
	}
	cond := func(typ string) *runv1.GoogleCloudRunV1Condition {
		return &runv1.GoogleCloudRunV1Condition{Type: typ, Status: ready, Message: svc.TerminalCondition.GetMessage(),
			LastTransitionTime: svc.TerminalCondition.GetLastTransitionTime().AsTime().Format(time.RFC3339Nano)}
	}
	latest := lastSegment(svc.LatestReadyRevision)
	return &runv1.Service{
		ApiVersion: "serving.knative.dev/v1", Kind: "Service",
		Metadata: &runv1.ObjectMeta{Name: m[3], Namespace: ns, Uid: svc.Uid, Generation: svc.Generation, Labels: labels,
			Annotations: svc.Annotations, ResourceVersion: svc.Etag, CreationTimestamp: svc.CreateTime.AsTime().Format(time.RFC3339Nano),
			SelfLink: "/apis/serving.knative.dev/v1/namespaces/" + ns + "/services/" + m[3]},
		Spec: &runv1.ServiceSpec{
			Template: &runv1.RevisionTemplate{Metadata: &runv1.ObjectMeta{Labels: svc.Template.GetLabels(), Annotations: svc.Template.GetAnnotations()},
				Spec: &runv1.RevisionSpec{Containers: containers, ContainerConcurrency: int64(svc.Template.GetMaxInstanceRequestConcurrency()),
					TimeoutSeconds: int64(svc.Template.GetTimeout().AsDuration().Seconds()), ServiceAccountName: svc.Template.GetServiceAccount()}},
			Traffic: []*runv1.TrafficTarget{{LatestRevision: true, Percent: 100}},
		},
		Status: &runv1.ServiceStatus{
			Url: svc.Uri, Address: &runv1.Addressable{Url: svc.Uri}, ObservedGeneration: svc.ObservedGeneration,
			LatestCreatedRevisionName: lastSegment(svc.LatestCreatedRevision), LatestReadyRevisionName: latest,
			Conditions: []*runv1.GoogleCloudRunV1Condition{cond("Ready"), cond("ConfigurationsReady"), cond("RoutesReady")},
			Traffic:    []*runv1.TrafficTarget{{LatestRevision: true, Percent: 100, RevisionName: latest}},
		},
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(v)
}
