/// Shared Codable plumbing for values whose JSON form is their canonical string (NIK, region code, quarter…).
///
/// Decoding goes through the validating init, so a malformed value in a request body fails decoding with the
/// same English explanation that the init would give, instead of producing an invalid value.
extension SingleValueDecodingContainer {
    func decodeCanonical<T>(_ parse: (String) throws(ValidationError) -> T) throws -> T {
        let text = try decode(String.self)
        do {
            return try parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: self, debugDescription: error.description)
        }
    }

    func decodeValidatedInteger<T>(_ parse: (Int) throws(ValidationError) -> T) throws -> T {
        let number = try decode(Int.self)
        do {
            return try parse(number)
        } catch {
            throw DecodingError.dataCorruptedError(in: self, debugDescription: error.description)
        }
    }
}
