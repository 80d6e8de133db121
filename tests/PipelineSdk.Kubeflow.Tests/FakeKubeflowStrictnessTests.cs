using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PipelineSdk.Kubeflow.Tests.Fakes;

namespace PipelineSdk.Kubeflow.Tests;

/// <summary>The fake refuses what the real API server refuses, so a test that passes against it has sent valid requests.</summary>
public class FakeKubeflowStrictnessTests
{
    private FakeKubeflow _kfp = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _kfp = await FakeKubeflow.StartAsync(Path.GetTempPath(), Path.GetTempPath());
        _http = new HttpClient { BaseAddress = new Uri(_kfp.BaseUrl + "/") };
    }

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _kfp.DisposeAsync();
    }

    [TestCase("{\"display_name\":\"x\",\"colour\":\"red\"}", "unknown field \"colour\" in v2beta1Run")]
    [TestCase("{\"display_name\":\"x\",\"runtime_config\":{\"pipelineRoot\":7}}", "invalid value for string field v2beta1Run.runtime_config.pipeline_root")]
    [TestCase("{\"display_name\":\"x\",\"state\":\"DONE\"}", "invalid value for enum field v2beta1Run.state: \"DONE\"")]
    [TestCase("{\"display_name\":\"x\",\"created_at\":\"yesterday\"}", "invalid value for timestamp field v2beta1Run.created_at")]
    [TestCase("{\"description\":\"no name\"}", "The run name is empty")]
    [TestCase("{\"display_name\":\"x\"}", "Pipeline version reference with a pipeline id is required")]
    [TestCase("{\"display_name\":\"x\",\"pipeline_version_reference\":{\"pipeline_id\":\"nope\"}}", "Pipeline nope not found")]
    public async Task Runs_that_the_server_would_refuse_are_refused(string body, string message)
    {
        using var response = await _http.PostAsync("apis/v2beta1/runs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That((int)response.StatusCode, Is.AnyOf(400, 404));
        Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>(), Does.Contain(message));
    }

    [TestCase("{\"pipeline\":{\"name\":\"p\"},\"pipeline_version\":{\"name\":\"v\",\"pipeline_spec\":{\"schemaVersion\":\"2.0.0\",\"pipelineInfo\":{\"name\":\"p\"}}}}", "schema version 2.1.0")]
    [TestCase("{\"pipeline\":{\"name\":\"p\"},\"pipeline_version\":{\"name\":\"v\"}}", "pipeline_spec or package_url")]
    [TestCase("{\"pipeline\":{\"name\":\"p\"},\"pipeline_version\":{\"name\":\"v\",\"pipeline_spec\":{\"pipeline_spec\":{\"schemaVersion\":\"2.1.0\",\"pipelineInfo\":{\"name\":\"p\"},\"deploymentSpec\":{\"executors\":{}}},\"platform_spec\":{\"platforms\":{\"kubernetes\":{\"deploymentSpec\":{\"executors\":{\"exec-x\":{\"imagePullSecret\":[]}}}}}}}}}", "platform specific configs")]
    [TestCase("{\"pipeline\":{\"name\":\"p\",\"tags\":{\"team\":3}},\"pipeline_version\":{\"name\":\"v\"}}", "invalid value for string field")]
    public async Task Pipelines_that_the_server_would_refuse_are_refused(string body, string message)
    {
        using var response = await _http.PostAsync("apis/v2beta1/pipelines/create", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(message));
        Assert.That(_kfp.Pipelines, Is.Empty);
    }

    [Test]
    public async Task Filters_are_checked_too()
    {
        using var response = await _http.GetAsync("apis/v2beta1/experiments?filter=" + Uri.EscapeDataString("{\"predicates\":[{\"key\":\"display_name\",\"op\":\"EQUALS\"}]}"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("unknown field \\u0022op\\u0022").Or.Contain("unknown field \"op\""));
    }

    [Test]
    public async Task Without_the_token_every_request_is_unauthenticated()
    {
        _kfp.Token = "t";

        using var response = await _http.GetAsync("apis/v2beta1/experiments");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
