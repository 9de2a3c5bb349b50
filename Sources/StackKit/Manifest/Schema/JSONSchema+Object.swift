extension JSONSchema {
    static func objectPairs(_ object: ObjectShape) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = [("description", .string(object.doc)), ("type", .string("object"))]
        pairs.append(("properties", .object(object.fields.map { field in
            (field.key, JSONValue.object([("description", .string(field.doc))]).adding(schema(field.shape)))
        })))
        if !object.required.isEmpty { pairs.append(("required", .array(object.required.map(JSONValue.string)))) }
        pairs.append(("additionalProperties", .bool(false)))
        let rules = object.rules.map(rule)
        if !rules.isEmpty { pairs.append(("allOf", .array(rules))) }
        return pairs
    }

    static func required(_ keys: [String]) -> JSONValue { .object([("required", .array(keys.map(JSONValue.string)))]) }

    /// None of these keys is present.
    static func noneOf(_ keys: [String]) -> JSONValue {
        .object([("not", .object([("anyOf", .array(keys.map { required([$0]) }))]))])
    }

    static func rule(_ rule: KeyRule) -> JSONValue {
        switch rule {
        case .exactlyOne(let keys):
            return .object([("oneOf", .array(keys.map { required([$0]) }))])
        case .atMostOne(let keys):
            let pairs = keys.indices.flatMap { i in keys.indices.filter { $0 > i }.map { required([keys[i], keys[$0]]) } }
            return .object([("not", .object([("anyOf", .array(pairs))]))])
        case .either(let key, let otherwise, let refusing, let without):
            var otherwiseSchema = required([otherwise])
            if !without.isEmpty { otherwiseSchema = .object([("allOf", .array([required([otherwise]), noneOf(without)]))]) }
            return .object([("if", required([key])), ("then", noneOf(refusing)), ("else", otherwiseSchema)])
        case .flagged(let flag, let otherwise, let refusing):
            let on = JSONValue.object([("anyOf",
                .array([.object([("const", .bool(true))]), .object([("type", .string("string")), ("pattern", .string(anyCase(NodeReader.trueWords)))])]))])
            return .object([("if", .object([("properties", .object([(flag, on)])), ("required", .array([.string(flag)]))])),
                            ("then", noneOf(refusing)), ("else", required([otherwise]))])
        case .router(let key, let object, let keys, let needed):
            return .object([("if", required([key])),
                            ("then", .object([("properties", .object([(object, noneOf(keys))]))])),
                            ("else", .object([("properties", .object([(object, required(needed))]))]))])
        case .otherwise(let key, let groups):
            return .object([("if", required([key])), ("else", .object([("allOf", .array(groups.map { group in
                .object([("anyOf", .array(group.map { required([$0]) }))]) }))]))])
        case .requires(let key, let keys):
            return .object([("dependentRequired", .object(keys.map { ($0, .array([.string(key)])) }))])
        case .whenValue(let key, let value, let refusing):
            return .object([("if", .object([("properties", .object([(key, .object([("const", .string(value))]))])), ("required", .array([.string(key)]))])),
                            ("then", noneOf(refusing))])
        }
    }
}
