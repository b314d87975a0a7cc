{{/* Chart name, overridable. */}}
{{- define "kubeglass.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name when it already contains the chart name. */}}
{{- define "kubeglass.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart label value: name-version. */}}
{{- define "kubeglass.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "kubeglass.labels" -}}
helm.sh/chart: {{ include "kubeglass.chart" . }}
{{ include "kubeglass.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: agent
{{- end }}

{{/* Labels that select the pod: never change them after release (immutable selector). */}}
{{- define "kubeglass.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubeglass.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* ServiceAccount the pod runs as. */}}
{{- define "kubeglass.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kubeglass.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: by digest when given, else by tag (default appVersion). */}}
{{- define "kubeglass.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Name of the Secret with static AWS keys, or "" when there is none. */}}
{{- define "kubeglass.awsSecretName" -}}
{{- if .Values.aws.existingSecret }}
{{- .Values.aws.existingSecret }}
{{- else if and .Values.aws.accessKeyId .Values.aws.secretAccessKey }}
{{- printf "%s-aws" (include "kubeglass.fullname" .) }}
{{- end }}
{{- end }}

{{/* Where an extra CA bundle is mounted. */}}
{{- define "kubeglass.caDir" -}}
/etc/kubeglass/ca
{{- end }}

{{/*
Rules on namespaced resources: read-only by construction, verbs get/list only, on an explicit
list of resources (no wildcards). They equal src/ops/reads.rs, the list of what the code reads
(tests/chart_rbac.rs compares the rendered rules): change both together. Secrets only when
rbac.secrets is metadata: the agent asks for their metadata only, but RBAC cannot say
"metadata only".
*/}}
{{- define "kubeglass.namespacedRules" -}}
- apiGroups: [""]
  resources:
    - pods
    - services
    - endpoints
    - events
    - configmaps
    - persistentvolumeclaims
    - replicationcontrollers
    - resourcequotas
    - limitranges
    {{- if eq .Values.rbac.secrets "metadata" }}
    - secrets
    {{- end }}
  verbs: [get, list]
- apiGroups: [""]
  resources: [pods/log]
  verbs: [get]
- apiGroups: [apps]
  resources: [deployments, replicasets, statefulsets, daemonsets, controllerrevisions]
  verbs: [get, list]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [get, list]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, networkpolicies]
  verbs: [get, list]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list]
- apiGroups: [metrics.k8s.io]
  resources: [pods]
  verbs: [get, list]
{{- if .Values.recorder.enabled }}
{{- /* The flight recorder watches what it records (src/ops/reads.rs). */}}
- apiGroups: [""]
  resources: [pods, events]
  verbs: [watch]
- apiGroups: [apps]
  resources: [replicasets, controllerrevisions]
  verbs: [watch]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [watch]
{{- end }}
{{- end }}

{{/* Rules on cluster-scoped resources, and node Leases (kube-node-lease, read by name). */}}
{{- define "kubeglass.clusterRules" -}}
- apiGroups: [""]
  resources: [namespaces, nodes, persistentvolumes]
  verbs: [get, list]
- apiGroups: [storage.k8s.io]
  resources: [storageclasses]
  verbs: [get, list]
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  verbs: [get, list]
- apiGroups: [metrics.k8s.io]
  resources: [nodes]
  verbs: [get, list]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get]
{{- if .Values.recorder.enabled }}
- apiGroups: [""]
  resources: [nodes]
  verbs: [watch]
{{- end }}
{{- end }}

{{/* The user's extra rules (verbs limited to get/list/watch by the schema). */}}
{{- define "kubeglass.extraRules" -}}
{{- with .Values.rbac.extraRules }}
{{ toYaml . }}
{{- end }}
{{- end }}
