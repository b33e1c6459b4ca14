/**
 * The API's messages in Vietnamese, for answers to `Accept-Language: vi` (the console sends it):
 * each English message form the API writes, as a pattern, and its Vietnamese form. Field names
 * stay as the API names them (they are what a script or a spreadsheet column uses). A message
 * with no Vietnamese form yet is answered in English.
 */
const FORMS: Array<[RegExp, string]> = [
  // Answers as a whole (detail).
  [/^The request is not valid$/, 'Yêu cầu không hợp lệ'],
  [/^The (.+?) data is not valid$/, 'Dữ liệu không hợp lệ ($1)'],
  [/^The (.+?) is not valid$/, 'Dữ liệu không hợp lệ ($1)'],
  [/^Nothing was imported: (\d+) row\(s\) have problems$/, 'Không nhập dòng nào: $1 dòng có lỗi'],
  [/^Nothing was imported: (\d+) rows outside your scope or with other problems$/, 'Không nhập dòng nào: $1 dòng nằm ngoài phạm vi của bạn hoặc có lỗi khác'],
  [/^(.+?) \(the first 100 problems are listed; (\d+) more were left out\)$/, '$1 (liệt kê 100 lỗi đầu; còn $2 lỗi khác)'],
  [/^Wrong username or password$/, 'Sai tên đăng nhập hoặc mật khẩu'],
  [/^This account is disabled; ask an administrator$/, 'Tài khoản này đã bị khóa; hãy liên hệ quản trị viên'],
  [/^Not signed in(, or signed out)?$/, 'Chưa đăng nhập'],
  [/^The session has expired: sign in again$/, 'Phiên làm việc đã hết hạn: hãy đăng nhập lại'],
  [/^This route needs an API token: Authorization: Bearer <token>$/, 'Cần đăng nhập hoặc mã truy cập API (Authorization: Bearer <token>)'],
  [/^Too many failed authentications from this address; try again later$/, 'Quá nhiều lần xác thực sai từ địa chỉ này; hãy thử lại sau'],
  [/^A write made with the session cookie needs the session's X-CSRF-Token header$/, 'Thao tác ghi cần mã chống giả mạo (X-CSRF-Token) của phiên làm việc'],
  [/^You may not write this (.+?) data outside your scope$/, 'Bạn không được ghi dữ liệu ngoài phạm vi của mình ($1)'],
  [/^This (.+?) has changed since you read it: .*$/, 'Bản ghi đã bị người khác thay đổi sau khi bạn đọc: hãy tải lại và làm lại thay đổi'],
  [/^The database cannot be reached; nothing was changed\. Try again in (\d+) seconds\.$/, 'Không kết nối được cơ sở dữ liệu; chưa có gì bị thay đổi. Hãy thử lại sau $1 giây.'],
  [/^An unexpected error occurred; it has been logged\.$/, 'Đã xảy ra lỗi ngoài dự kiến; lỗi đã được ghi lại.'],
  [/^(\S+) (\S+) does not exist$/, '$1 $2 không tồn tại'],
  [/^Malformed cursor$/, 'Con trỏ phân trang không hợp lệ'],
  // One field (errors[].message).
  [/^(\S+) may not be null \(leave it out to keep its value\)$/, '$1 không được để trống (null); bỏ trường này đi để giữ giá trị cũ'],
  [/^unknown field (\S+)$/, 'không có trường $1'],
  [/^(\S+) must be longer than or equal to (\d+) characters$/, '$1 phải có ít nhất $2 ký tự'],
  [/^(\S+) must be shorter than or equal to (\d+) characters$/, '$1 có nhiều nhất $2 ký tự'],
  [/^(\S+) must be a string$/, '$1 phải là chuỗi ký tự'],
  [/^(\S+) must be an integer number$/, '$1 phải là số nguyên'],
  [/^(\S+) must be a number conforming to the specified constraints$/, '$1 phải là một số'],
  [/^(\S+) must be a boolean value$/, '$1 phải là true hoặc false'],
  [/^(\S+) must be a UUID$/, '$1 phải là một UUID'],
  [/^(\S+) must not be less than (\S+)$/, '$1 không được nhỏ hơn $2'],
  [/^(\S+) must not be greater than (\S+?)(;.*)?$/, '$1 không được lớn hơn $2'],
  [/^(\S+) must be one of the following values: (.+)$/, '$1 phải là một trong các giá trị: $2'],
  [/^(\S+) must be one or more of: (.+)$/, '$1 phải là một hoặc nhiều giá trị trong: $2'],
  [/^(\S+) must be a real date YYYY-MM-DD between (\d+) and (\d+)$/, '$1 phải là một ngày có thật, dạng YYYY-MM-DD, từ năm $2 đến năm $3'],
  [/^(\S+) must be a real ISO 8601 date-time .* between (\d+) and (\d+)$/, '$1 phải là thời điểm có thật theo ISO 8601 (ví dụ 2026-01-01T00:00:00Z), từ năm $2 đến năm $3'],
  [/^(\S+) contains a NUL character .*$/, '$1 chứa ký tự NUL (\\u0000), không lưu được'],
  [/^an active item needs commissionedOn$/, 'thiết bị đang hoạt động phải có ngày đưa vào sử dụng (commissionedOn)'],
  [/^retiredOn \((.+?)\) is before commissionedOn \((.+?)\)$/, 'ngày ngừng sử dụng ($1) trước ngày đưa vào sử dụng ($2)'],
  [/^another device already has serial number (.+)$/, 'số serial $1 đã thuộc về một thiết bị khác'],
  [/^another agency already has code (.+)$/, 'mã $1 đã thuộc về một cơ quan khác'],
  [/^serial number (.+?) also appears in row (\d+)$/, 'số serial $1 cũng có ở dòng $2'],
  [/^(.+?) also appears in row (\d+)$/, '$1 cũng có ở dòng $2'],
  [/^no such code: (.+)$/, 'không có mã $1'],
  [/^no agency (.+)$/, 'không có cơ quan $1'],
  [/^no administrative unit (.+)$/, 'không có đơn vị hành chính $1'],
  [/^outside your scope \((.+)\)$/, 'ngoài phạm vi của bạn ($1)'],
  [/^the username (.+) is taken$/, 'tên đăng nhập $1 đã có người dùng'],
  [/^password must be (\d+) to 200 characters$/, 'mật khẩu phải có từ $1 đến 200 ký tự'],
  [/^a maintenance window lasts at most (\d+) days; .*$/, 'một đợt bảo trì kéo dài tối đa $1 ngày; thiết bị ngừng lâu hơn thì chuyển sang trạng thái ngừng sử dụng hoặc lưu kho'],
  [/^endsAt must be after startsAt$/, 'endsAt phải sau startsAt'],
  [/^joins (\d+) departments but the office has (\d+)$/, 'kết nối $1 phòng ban nhưng cơ quan chỉ có $2'],
  [/^completedOn \((.+?)\) is before commissionedOn \((.+?)\)$/, 'ngày hoàn chỉnh ($1) trước ngày đưa vào sử dụng ($2)'],
  [/^(.+?) already has a link with circuit id (.+)$/, '$1 đã có một đường truyền mã $2'],
];

/** The Vietnamese form of an API message, or the message itself. */
export function inVietnamese(message: string): string {
  for (const [pattern, vi] of FORMS) if (pattern.test(message)) return message.replace(pattern, vi);
  return message;
}
