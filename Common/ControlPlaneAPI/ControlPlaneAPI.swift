// Types generated from the root openapi.yaml by the OpenAPIGenerator build plugin
// (see openapi-generator-config.yaml). Nothing is committed here but this file and the config.
