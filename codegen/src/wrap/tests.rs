use super::send::split_send;

/// Every operation's `send` enters the hand-written layer once, through
/// `crate::contract::call::send`, and nothing calls progenitor's hooks or its decoder.
#[test]
fn every_send_enters_through_call_send_and_no_hook_is_called() {
    let text = include_str!("../../../openapi.yaml");
    let operations = kajabi_spec::normalize(&kajabi_spec::load(text).unwrap())
        .unwrap()
        .operations
        .len();
    let source = crate::generate_from_yaml(text).unwrap();
    assert_eq!(
        source.matches("crate::contract::call::send(").count(),
        operations
    );
    for hook in [
        ".pre(&mut request",
        ".exec(request",
        ".post(&result",
        "from_response(",
    ] {
        assert!(!source.contains(hook), "the output still calls {hook}");
    }
}

/// Constant header names and values are built at compile time: no `from_static` of a string
/// runs per call, and progenitor's `api_version()` became the spec's version literal.
#[test]
fn constant_headers_are_const_blocks() {
    let text = include_str!("../../../openapi.yaml");
    let flat: String = crate::generate_from_yaml(text)
        .unwrap()
        .split_whitespace()
        .collect();
    let document = kajabi_spec::load(text).unwrap();
    let operations = kajabi_spec::normalize(&document).unwrap().operations.len();
    let version = document["info"]["version"].as_str().unwrap();
    let name = r#"::reqwest::header::HeaderName::from_static("api-version")"#;
    let value = format!(r#"::reqwest::header::HeaderValue::from_static("{version}")"#);
    assert_eq!(
        flat.matches(&format!("const{{{name}}}")).count(),
        operations
    );
    assert_eq!(
        flat.matches(name).count(),
        operations,
        "each one in a const"
    );
    assert_eq!(
        flat.matches(&format!("const{{{value}}}")).count(),
        operations
    );
    assert!(!flat.contains("from_static(super::Client::api_version())"));
    // Without its `)`: the formatter breaks this longer call and adds a trailing comma.
    let accept = r#"::reqwest::header::HeaderValue::from_static("application/vnd.api+json""#;
    assert!(flat.contains(&format!("const{{{accept}")));
    assert_eq!(
        flat.matches(accept).count(),
        flat.matches(&format!("const{{{accept}")).count(),
        "every Accept in a const"
    );
}

#[test]
fn statuses_become_a_decoder_and_unknown_shapes_are_refused() {
    let send = |arms: proc_macro2::TokenStream| -> syn::ImplItemFn {
        syn::parse_quote! {
            async fn send(self) -> Result<ResponseValue<T>, Error<()>> {
                let Self { client } = self;
                let request = client.client.get(url).build()?;
                let info = OperationInfo { operation_id: "x" };
                let response = client.exec(request, &info).await?;
                match response.status().as_u16() { #arms }
            }
        }
    };
    let (build, decoder, json) = split_send(&send(quote::quote! {
        200u16 => ResponseValue::from_response(response).await,
        201u16 => ResponseValue::from_response(response).await,
        _ => Err(Error::UnexpectedResponse(response)),
    }))
    .unwrap();
    assert_eq!(build.len(), 2, "the statements before `let info`");
    assert!(json);
    assert_eq!(
        decoder.to_string(),
        quote::quote!(crate::contract::body::Json(&[200u16, 201u16])).to_string()
    );
    let (_, decoder, json) = split_send(&send(quote::quote! {
        204u16 => Ok(ResponseValue::empty(response)),
        _ => Err(Error::UnexpectedResponse(response)),
    }))
    .unwrap();
    assert_eq!(
        decoder.to_string(),
        quote::quote!(crate::contract::body::Empty(&[204u16])).to_string()
    );
    assert!(!json);
    for arms in [
        quote::quote!(200..=299 => ResponseValue::stream(response)),
        quote::quote!(200u16 => ResponseValue::upgrade(response).await),
        quote::quote!(200u16 => ResponseValue::from_response(response).await, 204u16 => Ok(ResponseValue::empty(response))),
        quote::quote!(_ => Err(Error::UnexpectedResponse(response))),
    ] {
        assert!(split_send(&send(arms.clone())).is_err(), "{arms}");
    }
}
