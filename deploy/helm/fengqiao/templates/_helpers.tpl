{{- define "fengqiao.labels" -}}
app.kubernetes.io/name: fengqiao
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
