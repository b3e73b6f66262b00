// A small, offline reader of /openapi.json: one block per operation with its parameters,
// request body and responses (no CDN, so it works where the server has no internet).
"use strict";

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((child) => child != null));
  return node;
}

function resolve(spec, schema) {
  if (schema && schema.$ref) return spec.components.schemas[schema.$ref.split("/").pop()];
  return schema || {};
}

function schemaText(spec, schema, depth = 0) {
  schema = resolve(spec, schema);
  if (depth > 2) return schema.title || "object";
  if (schema.properties) {
    const required = new Set(schema.required || []);
    const lines = Object.entries(schema.properties).map(([name, field]) => {
      const shown = resolve(spec, field);
      const kind = shown.type || (shown.anyOf || []).map((s) => resolve(spec, s).type || resolve(spec, s).title).join(" | ") || shown.title || "";
      const enumText = shown.enum ? ` one of ${shown.enum.join(", ")}` : "";
      return `  ${name}${required.has(name) ? "" : "?"}: ${kind}${enumText}${shown.description ? "  // " + shown.description : ""}`;
    });
    return `{\n${lines.join("\n")}\n}`;
  }
  return schema.type || "";
}

function operation(spec, path, method, op) {
  const block = el("div", { className: "operation", id: op.operationId || "" },
    el("div", {}, el("span", { className: "method", textContent: method.toUpperCase() }),
       el("span", { className: "path", textContent: path })),
    el("p", { textContent: op.summary || "" }));
  if (op.parameters && op.parameters.length) {
    const rows = op.parameters.map((p) => el("tr", {},
      el("td", { textContent: p.name }), el("td", { textContent: p.in }),
      el("td", { textContent: p.required ? "required" : "" }),
      el("td", { textContent: resolve(spec, p.schema).type || (resolve(spec, p.schema).anyOf || []).map((s) => s.type).join(" | ") })));
    block.append(el("table", {}, el("tr", {}, ...["parameter", "in", "", "type"].map((t) => el("th", { textContent: t }))), ...rows));
  }
  const body = op.requestBody && op.requestBody.content;
  if (body) {
    const [type, content] = Object.entries(body)[0];
    block.append(el("p", { textContent: `Body (${type}):` }),
                 el("pre", { textContent: schemaText(spec, content.schema) }));
  }
  for (const [status, reply] of Object.entries(op.responses || {})) {
    const content = reply.content && reply.content["application/json"];
    block.append(el("p", { textContent: `${status}: ${reply.description || ""}` }));
    if (content && status.startsWith("2")) block.append(el("pre", { textContent: schemaText(spec, content.schema) }));
  }
  return block;
}

document.addEventListener("DOMContentLoaded", async () => {
  const spec = await (await fetch("/openapi.json")).json();
  const blocks = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) blocks.push(operation(spec, path, method, op));
  }
  document.getElementById("operations").replaceChildren(
    el("p", { textContent: `${spec.info.title} ${spec.info.version}` }), ...blocks);
});
