from sirocco.persistence import Settings


def test_defaults():
    s = Settings.from_env({})
    assert (s.region, s.executions_table, s.definitions_table, s.payload_bucket) == (
        "us-east-1", "sirocco-executions", "sirocco-definitions", "sirocco-payloads")
    assert s.dynamodb_endpoint_url is None and s.s3_endpoint_url is None  # botocore decides: AWS itself


def test_standard_aws_variables_and_prefixed_names():
    s = Settings.from_env({
        "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000", "SIROCCO_EXECUTIONS_TABLE": "ex",
        "SIROCCO_DEFINITIONS_TABLE": "defs", "SIROCCO_PAYLOAD_BUCKET": "bucket", "SIROCCO_ITEM_BUDGET": "1000",
        "SIROCCO_EXECUTION_RETENTION": "60"})
    assert s.region == "eu-west-1"
    assert (s.dynamodb_endpoint_url, s.s3_endpoint_url) == ("http://127.0.0.1:4566", "http://127.0.0.1:9000")
    assert (s.executions_table, s.definitions_table, s.payload_bucket) == ("ex", "defs", "bucket")
    assert (s.item_budget, s.execution_retention) == (1000, 60)
