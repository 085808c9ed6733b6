#!/usr/bin/env bash
# Deploy Sirocco to AWS: one CloudFormation stack made of Chalice's template
# (the API and the queue handlers of app.py) merged with infra/resources.yaml.
#
#   infra/deploy.sh STACK ARTIFACT_BUCKET [Parameter=Value ...]
#
#   STACK            CloudFormation stack name, e.g. sirocco-prod
#   ARTIFACT_BUCKET  an existing S3 bucket of yours for the Lambda code
#   Parameter=Value  infra/resources.yaml parameters, e.g. Prefix=sirocco
#                    ExecutionRetentionSeconds=2592000 PayloadExpirationDays=31
#                    AlarmTopicArn=arn:aws:sns:...
#
# Environment: the usual AWS variables (AWS_PROFILE, AWS_REGION ...);
# CHALICE_STAGE (default dev, the stage .chalice/config.json defines) picks the stage;
# SIROCCO_EXECUTOR_TARGETS (e.g. "special,gpu:5") overrides the stage's executor targets.
# Needs: chalice and sirocco (pip install -e .) and the AWS CLI. See docs/deploy.md.
set -euo pipefail

if [ $# -lt 2 ]; then
    awk 'NR>1 && /^#/ {sub(/^# ?/, ""); print; next} NR>1 {exit}' "$0"
    exit 2
fi
stack=$1
artifacts=$2
shift 2
stage=${CHALICE_STAGE:-dev}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cd "$root"
# 1. infra/resources.yaml plus the configured executor targets (SIROCCO_EXECUTOR_TARGETS,
#    from the shell or .chalice/config.json) and the action functions of functions/
python -m sirocco.local.stacktemplate --stage "$stage" -o "$out/resources.yaml"
# 2. Chalice's SAM template and deployment.zip, with that template merged in
chalice package --stage "$stage" --merge-template "$out/resources.yaml" "$out"
# 3. upload the code (the app's zip, each function's directory, the functions' layer);
#    JSON output also resolves the YAML aliases the merge leaves (CloudFormation refuses them)
aws cloudformation package --template-file "$out/sam.yaml" --s3-bucket "$artifacts" \
    --output-template-file "$out/packaged.json" --use-json
# 4. create or update the stack (SAM transform, named IAM roles)
params=()
if [ $# -gt 0 ]; then params=(--parameter-overrides "$@"); fi
aws cloudformation deploy --stack-name "$stack" --template-file "$out/packaged.json" \
    --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND \
    --no-fail-on-empty-changeset ${params[@]+"${params[@]}"}
aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Outputs' --output table
