use super::*;
use crate::Role;

/// A minimal 3.1 document with one operation whose parts the tests replace.
fn doc(operation: Value) -> Value {
    json!({
        "openapi": "3.1.1",
        "info": {"title": "t", "version": "1.0.0", "summary": "3.1 only", "license": {"name": "MIT", "identifier": "MIT"}},
        "paths": {"/v1/things/{id}": {"get": operation}},
        "components": {"schemas": {}}
    })
}

fn ok_response() -> Value {
    json!({"200": {"description": "ok"}})
}

fn only_op(normalized: &Normalized) -> &Value {
    &normalized.document["paths"]["/v1/things/{id}"]["get"]
}

#[test]
fn version_becomes_3_0_3_and_3_1_only_fields_go() {
    let n = normalize(&doc(json!({"responses": ok_response()}))).unwrap();
    assert_eq!(n.document["openapi"], "3.0.3");
    assert!(n.document["info"].get("summary").is_none());
    assert!(n.document["info"]["license"].get("identifier").is_none());
}

#[test]
fn unsupported_versions_and_non_documents_are_refused() {
    let mut d = doc(json!({"responses": ok_response()}));
    d["openapi"] = json!("2.0");
    let e = normalize(&d).unwrap_err();
    assert_eq!(e.location, "/openapi");
    assert!(e.construct.contains("2.0"), "{e}");
    assert!(normalize(&json!("just text")).is_err());
    assert!(normalize(&json!({"swagger": "2.0"}))
        .unwrap_err()
        .construct
        .contains("openapi"));
}

#[test]
fn null_type_arrays_become_nullable() {
    let mut d = doc(json!({"responses": ok_response()}));
    d["components"]["schemas"]["thing"] = json!({
        "type": "object",
        "properties": {
            "name": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": ["integer", "null"]}},
            "legacy": {"type": "string", "nullable": true},
            "kind": {"const": "thing"},
            "n": {"type": "number", "exclusiveMinimum": 0, "examples": [3]},
            "any": {"anyOf": [{"type": ["boolean", "null"]}]}
        }
    });
    let n = normalize(&d).unwrap();
    let props = &n.document["components"]["schemas"]["thing"]["properties"];
    assert_eq!(props["name"], json!({"type": "string", "nullable": true}));
    assert_eq!(
        props["tags"]["items"],
        json!({"type": "integer", "nullable": true})
    );
    assert_eq!(
        props["legacy"],
        json!({"type": "string", "nullable": true}),
        "3.0 nullable is kept"
    );
    assert_eq!(props["kind"], json!({"enum": ["thing"]}));
    assert_eq!(
        props["n"],
        json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "example": 3})
    );
    assert_eq!(
        props["any"]["anyOf"][0],
        json!({"type": "boolean", "nullable": true})
    );
}

#[test]
fn several_non_null_types_are_an_error_naming_the_schema() {
    let mut d = doc(json!({"responses": ok_response()}));
    d["components"]["schemas"]["odd"] = json!({"type": ["string", "integer"]});
    let e = normalize(&d).unwrap_err();
    assert_eq!(e.location, "/components/schemas/odd");
}

#[test]
fn every_operation_gets_a_synthesized_id_whatever_its_summary() {
    let a = normalize(&doc(
        json!({"summary": "Show a thing", "responses": ok_response()}),
    ))
    .unwrap();
    let b = normalize(&doc(json!({"summary": "Totally reworded", "operationId": "upstreamName", "responses": ok_response()}))).unwrap();
    assert_eq!(only_op(&a)["operationId"], "get_thing");
    assert_eq!(only_op(&b)["operationId"], "get_thing");
    assert_eq!(a.operations[0].name, "get_thing");
}

#[test]
fn json_api_media_types_are_generated_as_json_and_remembered() {
    let n = normalize(&doc(json!({
        "requestBody": {"content": {"application/vnd.api+json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "ok", "content": {"application/vnd.api+json": {"schema": {"type": "object"}}}}}
    })))
    .unwrap();
    let op = only_op(&n);
    assert!(op["requestBody"]["content"]
        .get("application/json")
        .is_some());
    assert!(op["responses"]["200"]["content"]
        .get("application/json")
        .is_some());
    assert_eq!(
        n.operations[0].request_media.as_deref(),
        Some("application/vnd.api+json")
    );
    assert_eq!(
        n.operations[0].response_media.as_deref(),
        Some("application/vnd.api+json")
    );
}

#[test]
fn form_bodies_stay_forms_and_their_tokens_are_secret() {
    let n = normalize(&doc(json!({
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "properties": {"token": {"type": "string"}, "client_secret": {"type": "string"}, "scope": {"type": "string"}}
        }}}},
        "responses": ok_response()
    })))
    .unwrap();
    let props = &only_op(&n)["requestBody"]["content"]["application/x-www-form-urlencoded"]
        ["schema"]["properties"];
    assert_eq!(props["token"]["format"], SECRET_FORMAT);
    assert_eq!(props["client_secret"]["format"], SECRET_FORMAT);
    assert!(props["scope"].get("format").is_none());
    assert_eq!(
        n.operations[0].request_media.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
}

#[test]
fn unsupported_body_media_is_an_error_naming_the_operation() {
    let e = normalize(&doc(json!({
        "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
        "responses": ok_response()
    })))
    .unwrap_err();
    assert_eq!(e.location, "GET /v1/things/{id}");
    assert!(e.construct.contains("multipart/form-data"), "{e}");
}

#[test]
fn error_responses_are_left_to_the_hand_written_layer() {
    let n = normalize(&doc(json!({"responses": {
        "200": {"description": "ok"},
        "401": {"description": "no", "content": {"application/vnd.api+json": {"schema": {"type": "object"}}}},
        "default": {"description": "other"}
    }})))
    .unwrap();
    let responses = only_op(&n)["responses"].as_object().unwrap();
    assert_eq!(responses.keys().collect::<Vec<_>>(), ["200"]);
    assert_eq!(n.operations[0].error_statuses, ["401", "default"]);
}

#[test]
fn empty_success_bodies_stay_bodiless() {
    let n = normalize(&doc(json!({"responses": {"204": {"description": "gone"}}}))).unwrap();
    assert!(only_op(&n)["responses"]["204"].get("content").is_none());
    assert_eq!(n.operations[0].response_media, None);
    let e = normalize(&doc(json!({"responses": {"404": {"description": "no"}}}))).unwrap_err();
    assert!(e.construct.contains("no 2xx"), "{e}");
}

#[test]
fn repeated_parameters_are_deduplicated_first_wins() {
    let n = normalize(&doc(json!({
        "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "include", "in": "query", "description": "first", "schema": {"type": "string"}},
            {"name": "include", "in": "query", "schema": {"type": "string"}},
            {"name": "include", "in": "query", "description": "third", "schema": {"type": "string"}}
        ],
        "responses": ok_response()
    })))
    .unwrap();
    let params = only_op(&n)["parameters"].as_array().unwrap();
    assert_eq!(params.len(), 2);
    assert_eq!(params[1]["description"], "first");
    let query: Vec<&str> = n.operations[0]
        .parameters
        .iter()
        .filter(|p| p.location == "query")
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(query, ["include"]);
}

#[test]
fn repeated_parameters_with_different_definitions_are_an_error() {
    let e = normalize(&doc(json!({
        "parameters": [
            {"name": "include", "in": "query", "schema": {"type": "string"}},
            {"name": "include", "in": "query", "schema": {"type": "integer"}}
        ],
        "responses": ok_response()
    })))
    .unwrap_err();
    assert_eq!(e.location, "GET /v1/things/{id}");
    assert!(e.construct.contains("`include`"), "{e}");
}

#[test]
fn path_level_parameters_reach_each_operation() {
    let mut d = doc(json!({"responses": ok_response()}));
    d["paths"]["/v1/things/{id}"]["parameters"] =
        json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let n = normalize(&d).unwrap();
    assert_eq!(only_op(&n)["parameters"][0]["name"], "id");
    assert!(n.document["paths"]["/v1/things/{id}"]
        .get("parameters")
        .is_none());
    assert_eq!(n.operations[0].path_params().collect::<Vec<_>>(), ["id"]);
}

#[test]
fn security_decides_the_bearer() {
    let secured = normalize(&doc(
        json!({"security": [{"Bearer": []}], "responses": ok_response()}),
    ))
    .unwrap();
    let open = normalize(&doc(json!({"responses": ok_response()}))).unwrap();
    let opted_out = normalize(&doc(json!({"security": [], "responses": ok_response()}))).unwrap();
    assert!(secured.operations[0].secured);
    assert!(!open.operations[0].secured);
    assert!(!opted_out.operations[0].secured);
    let mut global = doc(json!({"responses": ok_response()}));
    global["security"] = json!([{"Bearer": []}]);
    assert!(normalize(&global).unwrap().operations[0].secured);
}

#[test]
fn pagination_is_detected_from_page_parameters() {
    let n = normalize(&doc(json!({
        "parameters": [
            {"name": "page[number]", "in": "query", "schema": {"type": "integer"}},
            {"name": "page[size]", "in": "query", "schema": {"type": "number"}}
        ],
        "responses": ok_response()
    })))
    .unwrap();
    assert!(n.operations[0].paginated);
    assert_eq!(
        only_op(&n)["parameters"][1]["schema"]["type"],
        "integer",
        "whole pages on the wire"
    );
}

#[test]
fn credential_properties_are_marked_secret_everywhere() {
    let mut d = doc(json!({"responses": ok_response()}));
    d["components"]["schemas"]["token_response"] = json!({"type": "object", "properties": {
        "access_token": {"type": "string"}, "refresh_token": {"type": ["string", "null"]}, "token": {"type": "string"}
    }});
    let n = normalize(&d).unwrap();
    let props = &n.document["components"]["schemas"]["token_response"]["properties"];
    assert_eq!(props["access_token"]["format"], SECRET_FORMAT);
    assert!(
        props["refresh_token"].get("format").is_none(),
        "nullable strings keep their plain type"
    );
    assert!(
        props["token"].get("format").is_none(),
        "a JSON:API `token` is an id, not a credential"
    );
}

#[test]
fn the_vendored_spec_normalizes_into_77_operations() {
    let text = include_str!("../../../openapi.yaml");
    let n = normalize(&crate::load(text).unwrap()).unwrap();
    assert_eq!(n.operations.len(), 77);
    let text = serde_json::to_string(&n.document).unwrap();
    assert!(!text.contains("\"3.1.1\""));
    assert!(
        !text.contains("vnd.api+json"),
        "every JSON:API media type is renamed for the generator"
    );
}

#[test]
fn normalizing_is_deterministic_and_idempotent_on_its_output() {
    let text = include_str!("../../../openapi.yaml");
    let source = crate::load(text).unwrap();
    let once = normalize(&source).unwrap();
    assert_eq!(once, normalize(&source).unwrap());
    let twice = normalize(&once.document).unwrap();
    assert_eq!(once.document, twice.document);
}

#[test]
fn bare_code_fences_in_descriptions_are_marked_text() {
    let n = normalize(&doc(json!({
        "description": "Body:\n```\n{\"a\": 1}\n```\nThen:\n```json\n{}\n```\n  ```\nindented\n  ```",
        "responses": ok_response()
    })))
    .unwrap();
    assert_eq!(
        only_op(&n)["description"],
        "Body:\n```text\n{\"a\": 1}\n```\nThen:\n```json\n{}\n```\n  ```text\nindented\n  ```"
    );
}

#[test]
fn roles_come_from_the_shape_of_the_operation_not_its_path() {
    let text = include_str!("../../../openapi.yaml");
    let mut doc = crate::load(text).unwrap();
    // Move the OAuth paths under another prefix and name: the roles follow the shapes.
    let paths = doc["paths"].as_object_mut().unwrap();
    let token = paths.remove("/v1/oauth/token").unwrap();
    let revoke = paths.remove("/v1/oauth/revoke").unwrap();
    paths.insert("/api/v9/auth/exchange".into(), token);
    paths.insert("/api/v9/auth/logout".into(), revoke);
    let n = normalize(&doc).unwrap();
    let with_role = |role: Role| -> Vec<&str> {
        n.operations
            .iter()
            .filter(|op| op.role == role)
            .map(|op| op.path.as_str())
            .collect()
    };
    assert_eq!(with_role(Role::TokenGrant), ["/api/v9/auth/exchange"]);
    assert_eq!(with_role(Role::Revoke), ["/api/v9/auth/logout"]);
    let credentials: Vec<&str> = n
        .operations
        .iter()
        .filter(|op| op.returns_credentials)
        .map(|op| op.path.as_str())
        .collect();
    assert_eq!(credentials, ["/api/v9/auth/exchange"]);
}

/// A paginated list operation at `/v1/things` whose 200 body is `response`.
fn list_doc(response: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/v1/things": {"get": {
            "parameters": [
                {"name": "page[number]", "in": "query", "schema": {"type": "integer"}},
                {"name": "page[size]", "in": "query", "schema": {"type": "integer"}}
            ],
            "responses": {"200": {"description": "ok", "content": {"application/vnd.api+json": {"schema": response}}}}
        }}},
        "components": {"schemas": {"things_index_response": {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": {"type": "object"}},
                "links": {"type": "object", "properties": {"self": {"type": "string"}, "current": {"type": "string"}}}
            }
        }}}
    })
}

#[test]
fn paginated_lists_get_the_documented_links_and_meta() {
    let n = normalize(&list_doc(
        json!({"$ref": "#/components/schemas/things_index_response"}),
    ))
    .unwrap();
    let schema = &n.document["components"]["schemas"]["things_index_response"]["properties"];
    let links = &schema["links"]["properties"];
    assert_eq!(
        links["self"],
        json!({"type": "string"}),
        "declared ones stay"
    );
    for member in PAGE_LINKS {
        assert_eq!(links[*member], json!({"type": "string", "nullable": true}));
    }
    for member in PAGE_META {
        assert_eq!(
            schema["meta"]["properties"][*member],
            json!({"type": "integer"})
        );
    }
    assert!(schema["meta"].get("required").is_none(), "optional");

    // An inline list schema is repaired in place, and the operation table sees it.
    let inline = json!({"type": "object", "properties": {"data": {"type": "array"},
        "meta": {"type": "object", "properties": {"total_count": {"type": "number"}}}}});
    let n = normalize(&list_doc(inline)).unwrap();
    let schema = &n.document["paths"]["/v1/things"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert_eq!(
        schema["properties"]["meta"]["properties"]["total_count"],
        json!({"type": "number"}),
        "a declared member is kept as declared"
    );
    assert_eq!(
        schema["properties"]["meta"]["properties"]["total_pages"],
        json!({"type": "integer"})
    );
    assert_eq!(n.operations[0].response_schema.as_ref(), Some(schema));
}

#[test]
fn other_responses_get_no_pagination_members() {
    // Not a list: `data` is an object.
    let n = normalize(&list_doc(
        json!({"type": "object", "properties": {"data": {"type": "object"}}}),
    ))
    .unwrap();
    let schema = &n.document["paths"]["/v1/things"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert!(schema["properties"].get("meta").is_none());
    // Not paginated: the referenced component stays as declared.
    let mut d = list_doc(json!({"$ref": "#/components/schemas/things_index_response"}));
    d["paths"]["/v1/things"]["get"]["parameters"] = json!([]);
    let n = normalize(&d).unwrap();
    let schema = &n.document["components"]["schemas"]["things_index_response"]["properties"];
    assert!(schema.get("meta").is_none());
    assert!(schema["links"]["properties"].get("next").is_none());
}

#[test]
fn jsonapi_resource_members_and_show_data_become_required() {
    let resource = json!({"type": "object", "properties": {
        "id": {"type": "string"}, "type": {"type": "string"},
        "attributes": {"type": "object", "properties": {"name": {"type": "string"}}}}});
    let mut d = doc(json!({"responses": {
        "200": {"description": "ok", "content": {"application/vnd.api+json": {
            "schema": {"$ref": "#/components/schemas/thing_show"}}}}
    }}));
    d["paths"]["/v1/things"] = json!({
        "get": {"responses": {"200": {"description": "ok",
            "content": {"application/vnd.api+json": {"schema": {"type": "object", "properties": {
                "data": {"type": "array", "items": resource.clone()}}}}}}}},
        "post": {"requestBody": {"content": {"application/vnd.api+json": {
                    "schema": {"$ref": "#/components/schemas/thing_update"}}}},
                 "responses": {"204": {"description": "ok"}}}
    });
    d["components"]["schemas"]["thing_show"] = json!({"type": "object", "properties": {
        "data": {"$ref": "#/components/schemas/thing"}}});
    d["components"]["schemas"]["thing"] = resource.clone();
    d["components"]["schemas"]["unused_show"] =
        json!({"type": "object", "properties": {"data": resource.clone()}});
    d["components"]["schemas"]["thing_update"] =
        json!({"type": "object", "properties": {"data": resource}});
    d["components"]["schemas"]["identifiers"] = json!({"type": "object", "properties": {
        "data": {"type": "object", "properties": {"meta": {"type": "object"}}}}});
    let n = normalize(&d).unwrap();
    let schemas = &n.document["components"]["schemas"];
    // Show response: `data` required, and the resource's `id` and `type` where it is defined.
    assert_eq!(schemas["thing_show"]["required"], json!(["data"]));
    assert_eq!(schemas["thing"]["required"], json!(["id", "type"]));
    // List response: each item's `id` and `type`; `data` itself is left as it is.
    let list = &n.document["paths"]["/v1/things"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert_eq!(
        list["properties"]["data"]["items"]["required"],
        json!(["id", "type"])
    );
    assert!(list.get("required").is_none());
    // A component no operation uses is repaired all the same: removing its operation does not
    // change it.
    assert_eq!(schemas["unused_show"]["required"], json!(["data"]));
    // A request body's document is not a response, and a `data` without `id`/`type` is no
    // resource object.
    assert!(schemas["thing_update"].get("required").is_none());
    assert!(schemas["identifiers"].get("required").is_none());
}

#[test]
fn jsonapi_repair_keeps_existing_required_members_once() {
    let mut d = doc(
        json!({"responses": {"200": {"description": "ok", "content": {
        "application/vnd.api+json": {"schema": {"type": "object", "required": ["data"],
            "properties": {"data": {"type": "object", "required": ["type"], "properties": {
                "id": {"type": "string"}, "type": {"type": "string"}}}}}}}}}}),
    );
    d["paths"]["/v1/things/{id}"]["get"]["parameters"] = json!([]);
    let n = normalize(&d).unwrap();
    let schema = &only_op(&n)["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(schema["required"], json!(["data"]));
    assert_eq!(
        schema["properties"]["data"]["required"],
        json!(["type", "id"])
    );
    // The operation table sees the repaired schema too.
    assert_eq!(
        n.operations[0].response_schema.as_ref().unwrap()["required"],
        json!(["data"])
    );
}
